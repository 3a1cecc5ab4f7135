import AssaySupport

extension StageKind {
    /// `retrain-last-layer`: its signature and checks.
    public static let retrainLastLayer = StageKind(signature: OperatorSignature(
        name: "retrain-last-layer", version: 2,
        doc: "DFR: L1 logistic regression on group-balanced held-out features; C tuned on validation halves; coefficients averaged over fits.",
        parameters: [
            ParameterSchema("features", .reference(.features, many: false), required: true, doc: "A `features` or `select` stage (of a `select`, only the rows it did not fit on)."),
            ParameterSchema("groups", .reference(.groups, many: false), required: true, doc: "Group split for balancing and worst-group accuracy."),
            ParameterSchema("layers", .list(.string), default: [], doc: "Restrict to these layers' blocks (empty: all blocks in the features)."),
            ParameterSchema("penalty", .enumeration(["l1", "l2"]), default: "l1", doc: "Regulariser of the logistic regression."),
            ParameterSchema("c-grid", .list(.double), default: [1.0, 0.7, 0.3, 0.1, 0.07, 0.03, 0.01], minCount: 1, doc: "Inverse penalty strengths C tried."),
            ParameterSchema("fits", .int, default: 20, min: 1, doc: "Balanced subsamples whose coefficients are averaged (`balance: subsample`; `reweight` fits once)."),
            ParameterSchema("balance", .enumeration(["subsample", "reweight", "none"]), default: "subsample",
                            doc: "Balance groups by subsampling each to the smallest, or fit on every example weighted inversely to its group's size (`none`: unweighted, a baseline). Default: the `balance` of the `groups` declaration."),
            seed,
        ],
        outputs: [OutputSlot("head", .head, doc: "The retrained linear head."), OutputSlot("metrics", .metrics, doc: "mean and worst-group accuracy on the evaluation split.")], sharedCode: [.logisticSolver]),
        check: { stage, checker in checkFeatureHead(&stage, checker) })

    /// `select` and `retrain-last-layer`: `balance` defaults to the groups declaration's, and
    /// `layers:` names layers of the model the features come from, as their blocks are recorded.
    static func checkFeatureHead(_ stage: inout StageCheck, _ checker: StageChecker) -> Bool {
        stage.featuresModel = stage.bindings.model
        // `balance`, when the stage does not give it, is the one its `groups:` declaration gives.
        if stage.body["balance"]?.isNull ?? true, let ref = stage.bindings.inputs["groups"],
           let declared = checker.groups.instances.first(where: { $0.id == ref.stage })?.parameters["balance"] {
            stage.parameters["balance"] = declared
        }
        if let spec = stage.bindings.model, let layers = stage.parameters["layers"]?.listValue?.compactMap(\.stringValue) {
            guard checker.checkLayerNames(layers, spec, stage.body["layers"], path: "\(stage.path).layers") else { return false }
            // The features name their blocks by tap name: an index (`4`) becomes the name it is recorded under.
            stage.parameters["layers"] = .list(layers.map { name in .string(spec.layer(tapped: name).map { spec.tapName(ofPath: $0.path) } ?? name) })
        }
        return true
    }
}
