import AssaySupport

extension StageKind {
    /// `split`: its signature.
    public static let split = StageKind(signature: OperatorSignature(
        name: "split", version: 1, doc: "New splits carved from existing ones, by size or fraction, seeded.",
        parameters: [
            ParameterSchema("source", .reference(.datasetSplits, many: false), required: true, doc: "The data set split."),
            ParameterSchema("splits", .record([]), required: true, doc: "New split name → {from, size | fraction}."),
            seed,
        ],
        outputs: [OutputSlot("<split>", .dataset, doc: "One output per resulting split.")],
        isImplicit: true))
}
