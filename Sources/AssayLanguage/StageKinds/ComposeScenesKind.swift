import AssaySupport

extension StageKind {
    /// `compose:` data sets: the signature of their generator and its checks.
    public static let composeScenes = StageKind(signature: OperatorSignature(
        name: "compose-scenes", version: 1, doc: "Segmentation scenes: items pasted on a canvas; a pixel's label is its item's class where the item is above `threshold`, background elsewhere.",
        parameters: [
            ParameterSchema("items", .reference(.datasetSplits, many: false), required: true, doc: "The data set the items come from (split by split)."),
            ParameterSchema("per-canvas", .list(.int), default: [2, 4], max: 1024, doc: "Range [min, max] of items per scene."),
            ParameterSchema("canvas", .list(.int), default: [64, 64], max: 65536, doc: "Scene size [H, W]."),
            ParameterSchema("overlap", .enumeration(["allow", "avoid"]), default: "avoid", doc: "Whether items may overlap (later ones on top)."),
            ParameterSchema("background", .enumeration(["black", "noise", "texture"]), default: "texture", doc: "Canvas background."),
            ParameterSchema("threshold", .double, default: 0.2, min: 0, max: 1, doc: "Item intensity above which a pixel takes the item's class."),
            ParameterSchema("samples", perSplitCount, default: ["train": 2000, "test": 500], doc: "Scenes per split."),
            seed,
        ],
        outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
        isImplicit: true),
        describe: { source, checker in describeScenes(source, checker) })

    /// Items are classification images no larger than the canvas, with a split for every split of scenes.
    private static func describeScenes(_ source: SourceCheck, _ checker: DatasetChecker) -> DatasetInfo? {
        let (body, path) = (source.body, source.path)
        guard let items = source.bindings.datasets["items"] else { return nil }
        guard let canvas = source.pair("canvas", checker) else { return nil }
        // `per-canvas` that failed its own check was reported.
        guard let range = source.parameters["per-canvas"]?.intList else { return nil }
        if range.count != 2 || range[0] < 1 || range[0] > range[1] {
            checker.error("out-of-range", "`per-canvas` must be [min, max] with 1 ≤ min ≤ max", body["per-canvas"]?.span ?? body.span, path: "\(path).per-canvas")
            return nil
        }
        guard items.task == .classification, items.sampleShape.count == 3 else {
            checker.error("wrong-data-kind", "scenes are composed from a classification data set of images, but `\(items.name)` is a \(items.task.rawValue) data set",
                          body["items"]?.span ?? body.span, path: "\(path).items")
            return nil
        }
        if items.sampleShape[1] > canvas[0] || items.sampleShape[2] > canvas[1] {
            checker.error("out-of-range", "items of `\(items.name)` are \(items.sampleShape[1])×\(items.sampleShape[2]), larger than the \(canvas[0])×\(canvas[1]) canvas",
                          body["canvas"]?.span ?? body.span, help: ["use a canvas at least as large as the items"], path: "\(path).canvas")
            return nil
        }
        // `samples` that failed its own check was reported.
        guard let (splits, sizes) = source.perSplit("samples") else { return nil }
        for s in splits where !items.splits.contains(s) {
            checker.error("unknown-split", "scenes for split `\(s)` need items from `\(items.name).\(s)`, which does not exist", body["samples"]?.span ?? body.span,
                          help: ["`\(items.name)` has splits: " + items.splits.joined(separator: ", ")], path: "\(path).samples.\(s)")
            return nil
        }
        return source.info(splits: splits, sizes: sizes, shape: [items.sampleShape[0], canvas[0], canvas[1]], classes: ["background"] + items.classes, task: .segmentation)
    }
}
