import AssaySupport

extension StageKind {
    /// `compare-circuits`: its signature.
    public static let compareCircuits = StageKind(signature: OperatorSignature(
        name: "compare-circuits", version: 1, doc: "How much a circuit changed: Jaccard overlap of nodes and Kendall τ of attributions.",
        parameters: [
            ParameterSchema("before", .reference(.circuit, many: false), required: true, doc: "Circuit of the original model."),
            ParameterSchema("after", .reference(.circuit, many: false), required: true, doc: "Circuit of the manipulated model."),
        ],
        outputs: [OutputSlot("metrics", .metrics, doc: "jaccard, kendall-tau.")]))
}
