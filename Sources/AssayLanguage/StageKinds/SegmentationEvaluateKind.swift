import AssaySupport

extension StageKind {
    /// `segmentation-evaluate`: its signature.
    static let segmentationEvaluate = StageKind(signature: OperatorSignature(
        // 2: normalises inputs as the model declares (1 fed weighted models raw [0, 1] pixels).
        name: "segmentation-evaluate", version: 3, doc: "Global pixel accuracy, class-average accuracy and mean IoU over a confusion matrix.",
        parameters: [
            ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "A `segmentation-train` stage."),
            ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The split to evaluate on."),
            ParameterSchema("target", .declaration(.segmentationTarget), required: true, doc: "The segmentation target."),
            batchSize,
        ],
        outputs: [
            OutputSlot("metrics", .metrics, doc: "global-accuracy, class-accuracy, mean-iou, per-class IoU."),
            OutputSlot("overlays.png", .image, doc: "Input | prediction | truth for the first scenes."),
        ]))
}
