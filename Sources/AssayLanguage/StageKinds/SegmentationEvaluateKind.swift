import AssaySupport

extension StageKind {
    /// `segmentation-evaluate`: its signature and checks.
    public static let segmentationEvaluate = StageKind(signature: OperatorSignature(
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
        ], sharedCode: [.convolution]),
        check: { stage, checker in checkSegmentationEvaluation(&stage, checker) })

    /// The split fits the model, and the model outputs one score per class of the target.
    private static func checkSegmentationEvaluation(_ stage: inout StageCheck, _ checker: StageChecker) -> Bool {
        guard let spec = stage.bindings.model, let data = stage.bindings.datasets["data"] else { return true }
        guard checker.checkDataFits(spec, data, use: stage.body["data"], path: "\(stage.path).data") else { return false }
        if let classes = stage.parameters["target"]?["classes"]?.listValue, classes.count != spec.classes {
            checker.error("segmentation-output-mismatch", "model outputs \(spec.classes) classes but the target has \(classes.count)", stage.body["target"]?.span ?? stage.body.span,
                          path: "\(stage.path).target")
            return false
        }
        return checkGroupsData(stage, checker, data: data)
    }
}
