import AssaySupport

extension StageKind {
    /// `evaluate`: its signature.
    static let evaluate = StageKind(signature: OperatorSignature(
        name: "evaluate", version: 2, doc: "Evaluates a trained model: accuracy, and per-group and worst-group accuracy when `groups` is given.",
        parameters: [
            ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "A stage that outputs a trained model."),
            ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The split to evaluate on."),
            ParameterSchema("groups", .reference(.groups, many: false), doc: "Group split for per-group accuracy."),
            batchSize,
        ],
        outputs: [OutputSlot("metrics", .metrics, doc: "mean-accuracy, worst-group-accuracy, per-group accuracy.")]))
}
