import AssayData
import AssayNN

/// Extracts a visual circuit: attributions of the searched layers' channels to the head
/// (``ChannelAttribution``), the top-m channels per layer, and edges between kept channels of
/// consecutive layers, each edge the attribution of the earlier channel to the later one's
/// mean activation (one backward pass per kept later channel).
struct CircuitExtractor {
    var head: NetworkUnit
    var layers: [String]
    var topM: Int
    var kind: ChannelAttribution.Kind = .activationTimesGradient
    /// Examples edges are averaged over (a prefix of the sampled ones; edges need m passes each).
    var edgeSamples = 64

    func extract(_ network: SpecNetwork, dataset: ImageDataset, indices: [Int], stage: String,
                 cancelled: () throws -> Void = {}) throws -> CircuitArtifact {
        let attributions = try ChannelAttribution.compute(network, head: head, layers: layers, dataset: dataset, indices: indices,
                                                          kind: kind, stage: stage, cancelled: cancelled)
        let kept = attributions.map { ChannelAttribution.topChannels($0, m: topM) }
        var edges: [CircuitArtifact.Edge] = []
        let edgeIndices = Array(indices.prefix(edgeSamples))
        for l in 0..<max(0, layers.count - 1) {
            for j in kept[l + 1] {
                try cancelled()
                let later = NetworkUnit(layer: layers[l + 1], channel: j)
                let weights = try ChannelAttribution.compute(network, head: later, layers: [layers[l]], dataset: dataset, indices: edgeIndices,
                                                             kind: kind, stage: stage, cancelled: cancelled)[0]
                for i in kept[l] {
                    edges.append(.init(from: NetworkUnit(layer: layers[l], channel: i).description, to: later.description, weight: weights[i]))
                }
            }
        }
        if let last = layers.indices.last {
            for i in kept[last] {
                edges.append(.init(from: NetworkUnit(layer: layers[last], channel: i).description, to: head.description, weight: attributions[last][i]))
            }
        }
        return CircuitArtifact(head: head, attribution: kind, samples: indices.count,
                               layers: layers.indices.map { .init(layer: layers[$0], attributions: attributions[$0], kept: kept[$0]) }, edges: edges)
    }
}
