import AssaySupport

extension StageKind {
    /// `load-fashion-mnist`: its signature.
    static let loadFashionMNIST = StageKind(signature: OperatorSignature(
        name: "load-fashion-mnist", version: 1, doc: "Fashion-MNIST from its four IDX files (gzipped or not): splits `train` (60,000) and `test` (10,000), 1×28×28, 10 classes.",
        parameters: [
            ParameterSchema("path", .path(mustExist: true), default: "/usr/share/datasets/fashion-mnist", doc: "Folder holding the IDX files."),
            ParameterSchema("limit", perSplitCount, doc: "Keep only the first n examples of a split (CI-sized runs)."),
        ],
        outputs: [OutputSlot("train", .dataset, doc: "60,000 examples."), OutputSlot("test", .dataset, doc: "10,000 examples.")],
        isImplicit: true))
}
