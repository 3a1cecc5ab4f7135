import AssaySupport

extension StageKind {
    /// `report`: its signature.
    public static let report = StageKind(signature: OperatorSignature(
        name: "report", version: 2, doc: "A table of metrics across stages.",
        parameters: [
            ParameterSchema("compare", .reference(.metrics, many: true), required: true, doc: "Stages whose metrics are tabulated."),
            ParameterSchema("metrics", .list(.enumeration(reportMetrics)), default: ["mean-accuracy", "worst-group-accuracy"], minCount: 1, doc: "Columns."),
        ],
        outputs: [OutputSlot("report", .report, doc: "The table.")]))

    /// Columns a report may tabulate.
    static let reportMetrics = [
        "mean-accuracy", "worst-group-accuracy", "group-accuracy", "accuracy-delta", "kendall-tau", "top-k-overlap",
        "synthetic-distance", "jaccard", "global-accuracy", "class-accuracy", "mean-iou", "loss",
    ]
}
