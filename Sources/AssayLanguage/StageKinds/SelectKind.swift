import AssaySupport

extension StageKind {
    /// `select`: its signature; its checks are those of a head on features (``checkFeatureHead``).
    public static let select = StageKind(signature: OperatorSignature(
        name: "select", version: 3,
        doc: "Head2Toe feature selection: a group-lasso linear head on group-balanced data keeps the top features; the rows it fits on are held out of its output.",
        parameters: [
            ParameterSchema("features", .reference(.features, many: false), required: true, doc: "A `features` stage."),
            ParameterSchema("groups", .reference(.groups, many: false), required: true, doc: "Group split used to balance the data."),
            ParameterSchema("method", .enumeration(["head2toe"]), default: "head2toe", doc: "Selection method."),
            ParameterSchema("keep", .double, default: 0.1, min: 0, max: 1, exclusiveMin: true, doc: "Fraction of features kept."),
            ParameterSchema("fit-fraction", .double, default: 0.5, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true,
                            doc: "Share of the first split (stratified by group, seeded) the head is fitted on; the rest is the first split of the output, held out for `retrain-last-layer`."),
            ParameterSchema("lambda", .double, default: 0.01, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true,
                            doc: "Group-lasso strength λ in λ·Σ_j ‖W_j‖₂, as a fraction of λ_max (the smallest λ that zeroes every feature)."),
            ParameterSchema("epochs", .int, default: 50, min: 1, doc: "Most FISTA iterations of the selection head (each a full pass; the step is 1/L from a Lipschitz bound)."),
            ParameterSchema("balance", .enumeration(["subsample", "reweight", "none"]), default: "subsample",
                            doc: "Balance groups by subsampling each to the smallest, or weight examples inversely to their group's size (`none`: neither). Default: the `balance` of the `groups` declaration."),
            seed,
        ],
        outputs: [OutputSlot("features", .features, doc: "The kept features; the first split holds only the rows not used to fit the selection."),
                  OutputSlot("metrics", .metrics, doc: "Scores, kept count, and the examples fitted on and held out.")],
        retired: ["lr": "the selection head is fitted by FISTA, whose step 1/L comes from a Lipschitz bound of the loss, so it takes no learning rate"], sharedCode: [.logisticSolver]),
        check: { stage, checker in checkFeatureHead(&stage, checker) })
}
