import AssaySupport

extension StageKind {
    /// `evaluate`: its signature and checks.
    public static let evaluate = StageKind(signature: OperatorSignature(
        name: "evaluate", version: 2, doc: "Evaluates a trained model: accuracy, and per-group and worst-group accuracy when `groups` is given.",
        parameters: [
            ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "A stage that outputs a trained model."),
            ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The split to evaluate on."),
            ParameterSchema("groups", .reference(.groups, many: false), doc: "Group split for per-group accuracy."),
            batchSize,
            precision,
        ],
        outputs: [OutputSlot("metrics", .metrics, doc: "mean-accuracy, worst-group-accuracy, per-group accuracy.")], sharedCode: [.convolution]),
        check: { stage, checker in checkEvaluation(&stage, checker) })

    /// The split evaluated on fits the trained model; a group split groups that split's data set.
    static func checkEvaluation(_ stage: inout StageCheck, _ checker: StageChecker) -> Bool {
        guard let spec = stage.bindings.model, let data = stage.bindings.datasets["data"] else { return true }
        return checker.checkDataFits(spec, data, use: stage.body["data"], path: "\(stage.path).data") && checkGroupsData(stage, checker, data: data)
    }

    /// `groups:` must group the data set evaluated on (or one derived by the same stage).
    static func checkGroupsData(_ stage: StageCheck, _ checker: StageChecker, data: DatasetInfo) -> Bool {
        guard let groupsName = stage.body["groups"]?.string, let g = checker.groups.found[groupsName], g.dataset != data.name,
              checker.datasets.found[g.dataset]?.stage != data.stage else { return true }
        checker.error("groups-data-mismatch", "group split `\(groupsName)` groups `\(g.dataset)`, but this stage evaluates on `\(data.name)`", stage.body["groups"]!.span,
                      help: ["use a group split declared with `data: \(data.name)`"], path: "\(stage.path).groups")
        return false
    }
}
