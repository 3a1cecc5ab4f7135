import AssaySupport

extension StageKind {
    /// `features`: its signature and checks.
    public static let features = StageKind(signature: OperatorSignature(
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
            precision,
        ],
        outputs: [OutputSlot("features", .features, doc: "Feature matrices per split, with layer blocks.")], sharedCode: [.convolution]),
        check: { stage, checker in checkFeatures(&stage, checker) })

    /// Every split fits the model, `layers:` names layers of it, and the pooled features of every
    /// split fit in memory.
    private static func checkFeatures(_ stage: inout StageCheck, _ checker: StageChecker) -> Bool {
        let (body, path, p) = (stage.body, stage.path, stage.parameters)
        guard let spec = stage.bindings.model else { return true }
        for (slot, data) in stage.bindings.datasets where slot.hasPrefix("data") {
            guard checker.checkDataFits(spec, data, use: body["data"], path: "\(path).data") else { return false }
        }
        let requested = p["layers"]?.listValue?.compactMap(\.stringValue) ?? []
        guard checker.checkLayerNames(requested, spec, body["layers"], path: "\(path).layers") else { return false }
        let layers: [LayerSpec]
        do { layers = try spec.featureLayers(requested) } catch let failure {
            checker.error("unknown-layer", (failure as? FeatureLayerError)?.message ?? "\(failure)", body["layers"]?.span ?? stage.keySpan,
                          help: ["name layers of `\(spec.name)`: " + spec.tapNames.joined(separator: ", ")], path: "\(path).layers")
            return false
        }
        // A `pool` that failed its own check was reported; nothing is estimated from it.
        if let target = p["pool"]?["target"]?.intValue {
            let memory = checker.featuresMemory(spec, layers: layers, target: target, context: stage.bindings)
            let targetSpan = body["pool"]?["target"]?.span
            let standard = stage.signature.parameter("pool")?.defaultValue?["target"].map { " (default \($0.canonicalString))" } ?? ""
            checker.checkMemory(memory.bytes, stage: stage.name,
                                what: "\(memory.perExample) features per example × \(memory.examples)\(memory.known ? "" : " or more") examples (4-byte floats, recorded and normalised)",
                                declared: stage.declaredMemory, at: targetSpan ?? body["layers"]?.span ?? stage.keySpan,
                                field: targetSpan != nil ? "pool.target" : "layers", path: targetSpan != nil ? "\(path).pool.target" : "\(path).layers",
                                help: ["a smaller `pool: { target: N }` keeps at most N features per layer\(standard)", "or record fewer `layers:`"])
        }
        stage.featuresModel = spec
        return true
    }
}
