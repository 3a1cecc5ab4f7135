import AssaySupport

extension StageKind {
    /// `compare`: its signature.
    public static let compare = StageKind(signature: OperatorSignature(
        name: "compare", version: 2, doc: "How much visualisations changed: rank correlation and overlap of top-k sets, synthetic image distance.",
        parameters: [
            ParameterSchema("before", .reference(.visualization, many: false), required: true, doc: "Visualisation of the original model."),
            ParameterSchema("after", .reference(.visualization, many: false), required: true, doc: "Visualisation of the manipulated model."),
            ParameterSchema("metrics", .list(.enumeration(["kendall-tau", "top-k-overlap", "synthetic-distance", "class-change"])),
                            default: ["kendall-tau", "top-k-overlap"], minCount: 1, doc: "Measures."),
        ],
        outputs: [
            OutputSlot("metrics", .metrics, doc: "The measures."),
            OutputSlot("before-after.png", .image, doc: "Natural top-k and synthetic images before and after, side by side."),
        ]))
}
