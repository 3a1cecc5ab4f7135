import AssaySupport

extension StageKind {
    /// `circuit`: its signature and checks.
    public static let circuit = StageKind(signature: OperatorSignature(
        name: "circuit", version: 2, doc: "Extracts a visual circuit: top-m channels per layer by attribution to a head unit.",
        parameters: [
            ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "The trained model."),
            ParameterSchema("head", .unit, required: true, doc: "The head unit, `layer[channel]`."),
            ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "Examples the attribution is averaged over."),
            ParameterSchema("top-m", .int, default: 3, min: 1, doc: "Channels kept per layer."),
            ParameterSchema("layers", .list(.string), default: ["all"], minCount: 1, doc: "Layers searched (`all`: every conv layer before the head)."),
            ParameterSchema("attribution", .enumeration(["activation-x-gradient", "gradient"]), default: "activation-x-gradient", doc: "Channel score."),
            ParameterSchema("samples", .int, default: 256, min: 1, doc: "Examples used."),
            precision,
        ],
        outputs: [OutputSlot("circuit", .circuit, doc: "Nodes, edges and attributions.")], sharedCode: [.convolution]),
        check: { stage, checker in checkCircuit(&stage, checker) })

    /// The split fits the model and `layers:` names layers of it.
    private static func checkCircuit(_ stage: inout StageCheck, _ checker: StageChecker) -> Bool {
        guard let spec = stage.bindings.model, let data = stage.bindings.datasets["data"] else { return true }
        guard checker.checkDataFits(spec, data, use: stage.body["data"], path: "\(stage.path).data"), checkGroupsData(stage, checker, data: data) else { return false }
        if let layers = stage.parameters["layers"]?.listValue?.compactMap(\.stringValue) {
            return checker.checkLayerNames(layers, spec, stage.body["layers"], path: "\(stage.path).layers")
        }
        return true
    }
}
