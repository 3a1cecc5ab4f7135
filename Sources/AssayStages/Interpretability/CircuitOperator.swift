import AssayEngine
import AssayNN
import AssayTensor

/// `circuit`: the head unit's circuit in a model over `samples` evenly spaced examples of `data`.
struct CircuitOperator: ParameterizedOperator {
    /// `model` and `data` are inputs.
    struct Parameters: Decodable {
        var head: NetworkUnit
        var topM: Int
        var layers: [String]
        var attribution: ChannelAttribution.Kind
        var samples: Int
        var precision: TensorPrecision?
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let head = p.head
        guard let modelHandle = inputs["model"] else { throw StageError(stage: node.id, path: "model", "the input `model` was not provided") }
        let network = try ModelArtifact.read(from: modelHandle.url, stage: node.id)
        network.freeze()
        let data = try readDataset(inputs, "data", stage: node.id)
        let layers = try ChannelAttribution.layers(before: head, in: network.spec, requested: p.layers, stage: node.id)
        guard !layers.isEmpty else { throw StageError(stage: node.id, path: "layers", "no conv layer lies before the head `\(head)`", help: "pick a later head unit") }
        let indices = ChannelAttribution.sampleIndices(count: data.count, samples: p.samples)
        context.report(fraction: 0, message: "attributing \(layers.count) layers to \(head)")
        let circuit = try TensorPrecision.withPrecision(p.precision ?? .fp32) {
            try CircuitExtractor(head: head, layers: layers, topM: p.topM, kind: p.attribution)
                .extract(network, dataset: data, indices: indices, stage: node.id, cancelled: context.checkCancelled)
        }
        try circuit.write(to: context.output(named: "circuit"))
        context.report(fraction: 1, message: "circuit of \(head)", metrics: ["step": 1, "total-steps": 1])
        return StageResult(metrics: ["nodes": Double(circuit.nodes.count), "edges": Double(circuit.edges.count)])
    }
}
