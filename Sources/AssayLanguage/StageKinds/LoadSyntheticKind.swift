import AssaySupport

extension StageKind {
    /// `load-synthetic`: its signature.
    static let loadSynthetic = StageKind(signature: OperatorSignature(
        name: "load-synthetic", version: 1, doc: "A seeded synthetic classification data set.",
        parameters: [
            ParameterSchema("generator", .enumeration(["blobs", "stripes", "gaussian"]), default: "blobs", doc: "What images look like per class."),
            ParameterSchema("classes", .int, default: 2, min: 2, doc: "Number of classes."),
            ParameterSchema("shape", .list(.int), default: [1, 16, 16], max: 65536, doc: "Sample shape [C, H, W]."),
            ParameterSchema("samples", perSplitCount, default: ["train": 1000, "test": 200], doc: "Examples per split."),
            ParameterSchema("noise", .double, default: 0.1, min: 0, doc: "Pixel noise standard deviation."),
            seed,
        ],
        outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
        isImplicit: true))
}
