import AssaySupport

extension StageKind {
    /// `features`: its signature.
    static let features = StageKind(signature: OperatorSignature(
        name: "features", version: 2, doc: "Extracts per-layer features, pooled to about `pool.target` dimensions per layer.",
        parameters: [
            ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "The trained model."),
            ParameterSchema("data", .reference(.dataset, many: true), required: true, doc: "Splits to extract features of (fit on the first, evaluate on the others)."),
            ParameterSchema("layers", .list(.string), default: ["penultimate"], minCount: 1,
                            doc: "Layer names (an unnamed layer is named after the layer it follows: `fc1.relu`), indices or module paths; `all`; or `penultimate`: the input of the final linear layer (post-activation, as in DFR)."),
            ParameterSchema("pool", .record([
                ParameterSchema("target", .int, default: 1024, min: 1, doc: "Target dimensions T per layer: global pooling if C ≥ T, else p×p patches with p = ⌊√(T/C)⌋."),
            ]), default: ["target": 1024], doc: "Pooling of activation maps."),
            ParameterSchema("normalize", .enumeration(["l2", "standardize", "none"]), default: "standardize", doc: "Per-layer block normalisation."),
            batchSize,
        ],
        outputs: [OutputSlot("features", .features, doc: "Feature matrices per split, with layer blocks.")]))
}
