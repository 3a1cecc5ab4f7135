import AssaySupport

extension StageKind {
    /// `synthetic:` data sets: the signature of their generator and its checks.
    public static let loadSynthetic = StageKind(signature: OperatorSignature(
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
        isImplicit: true),
        describe: { source, checker in describeSynthetic(source, checker) })

    /// Samples of `shape` [C, H, W], `classes` classes, the splits `samples:` gives.
    private static func describeSynthetic(_ source: SourceCheck, _ checker: DatasetChecker) -> DatasetInfo? {
        let shape = source.parameters["shape"]?.intList ?? []
        if shape.count != 3 || shape.contains(where: { $0 < 1 }) {
            checker.error("wrong-type", "`shape` must be three positive integers [C, H, W]", source.body["shape"]?.span ?? source.body.span, path: "\(source.path).shape")
            return nil
        }
        // `classes` or `samples` that failed their own checks were reported.
        guard let count = source.parameters["classes"]?.intValue, let (splits, sizes) = source.perSplit("samples") else { return nil }
        return source.info(splits: splits, sizes: sizes, shape: shape, classes: (0..<count).map { "class-\($0)" }, task: .classification)
    }
}
