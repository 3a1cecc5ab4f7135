import AssaySupport

extension StageKind {
    /// `group-split`: its signature.
    public static let groupSplit = StageKind(signature: OperatorSignature(
        name: "group-split", version: 1, doc: "Groups = label × attributes, with counts and a seeded balanced subsample.",
        parameters: [ParameterSchema("source", .reference(.datasetSplits, many: false), required: true, doc: "The data set grouped.")] + OperatorRegistry.groupsSchema.filter { $0.name != "data" },
        outputs: [OutputSlot("groups", .groups, doc: "Group index per example per split.")],
        isImplicit: true))
}
