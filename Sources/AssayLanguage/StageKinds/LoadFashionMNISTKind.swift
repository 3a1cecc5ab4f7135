import AssaySupport

extension StageKind {
    /// `fashion-mnist:` data sets: the signature of their loader and its checks.
    public static let loadFashionMNIST = StageKind(signature: OperatorSignature(
        name: "load-fashion-mnist", version: 1, doc: "Fashion-MNIST from its four IDX files (gzipped or not): splits `train` (60,000) and `test` (10,000), 1×28×28, 10 classes.",
        parameters: [
            ParameterSchema("path", .path(mustExist: true), default: "/usr/share/datasets/fashion-mnist", doc: "Folder holding the IDX files."),
            ParameterSchema("limit", perSplitCount, doc: "Keep only the first n examples of a split (CI-sized runs)."),
        ],
        outputs: [OutputSlot("train", .dataset, doc: "60,000 examples."), OutputSlot("test", .dataset, doc: "10,000 examples.")],
        isImplicit: true),
        describe: { source, checker in describeFashionMNIST(source, checker) })

    static let fashionMNISTClasses = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]

    /// Splits `train` (60,000) and `test` (10,000) of 1×28×28 images, shortened by `limit:`, which has no `val`.
    private static func describeFashionMNIST(_ source: SourceCheck, _ checker: DatasetChecker) -> DatasetInfo? {
        var sizes = ["train": 60000, "test": 10000]
        if let limit = source.parameters["limit"]?.mapValue {
            for (split, n) in limit { if let n = n.intValue { sizes[split] = min(n, sizes[split] ?? n) } }
            if limit["val"].map({ $0 != .null }) == true {
                checker.error("unknown-split", "Fashion-MNIST has no `val` split to limit", source.body["limit"]?.span ?? source.body.span,
                              help: ["carve one with `split: { val: { from: train, size: 10000 } }`"], path: "\(source.path).limit.val")
                return nil
            }
        }
        return source.info(splits: ["train", "test"], sizes: sizes, shape: [1, 28, 28], classes: fashionMNISTClasses, task: .classification)
    }
}
