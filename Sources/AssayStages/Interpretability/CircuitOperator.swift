import AssayEngine
import AssayNN

/// `circuit`: the head unit's circuit in a model over `samples` evenly spaced examples of `data`.
struct CircuitOperator: StageOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let p = try StageParameters(node)
        let head = try NetworkUnit(p.lookup("head"), stage: node.id, path: "head")
        guard let modelHandle = inputs["model"] else { throw StageError(stage: node.id, path: "model", "the input `model` was not provided") }
        let network = try ModelArtifact.read(from: modelHandle.url, stage: node.id)
        network.freeze()
        let data = try readDataset(inputs, "data", stage: node.id)
        let layers = try ChannelAttribution.layers(before: head, in: network.spec, requested: p.strings("layers", default: ["all"]), stage: node.id)
        guard !layers.isEmpty else { throw StageError(stage: node.id, path: "layers", "no conv layer lies before the head `\(head)`", help: "pick a later head unit") }
        let kindName = p.string("attribution", default: ChannelAttribution.Kind.activationTimesGradient.rawValue)
        guard let kind = ChannelAttribution.Kind(rawValue: kindName) else { throw StageError(stage: node.id, path: "attribution", "unknown attribution `\(kindName)`") }
        let indices = ChannelAttribution.sampleIndices(count: data.count, samples: p.int("samples", default: 256))
        context.report(fraction: 0, message: "attributing \(layers.count) layers to \(head)")
        let circuit = try CircuitExtractor(head: head, layers: layers, topM: p.int("top-m", default: 3), kind: kind)
            .extract(network, dataset: data, indices: indices, stage: node.id, cancelled: context.checkCancelled)
        try circuit.write(to: context.output(named: "circuit"))
        context.report(fraction: 1, message: "circuit of \(head)", metrics: ["step": 1, "total-steps": 1])
        return StageResult(metrics: ["nodes": Double(circuit.nodes.count), "edges": Double(circuit.edges.count)])
    }
}
