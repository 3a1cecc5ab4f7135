import AssaySupport
import Foundation

/// The `circuit` output: per searched layer every channel's attribution to the head and the
/// kept top-m channels (the circuit's nodes), and weighted edges between consecutive layers'
/// kept channels (and from the last layer to the head). JSON with sorted keys.
struct CircuitArtifact: Codable, Hashable, Sendable {
    struct Layer: Codable, Hashable, Sendable {
        var layer: String
        var attributions: [Float]
        var kept: [Int]
    }

    /// `weight` = (1/N) Σ_n Σ_{h,w} a_from · ∂s_to/∂a_from: the attribution of `from` to `to`.
    struct Edge: Codable, Hashable, Sendable {
        var from: String
        var to: String
        var weight: Float
    }

    var head: NetworkUnit
    var attribution: ChannelAttribution.Kind
    var samples: Int
    var layers: [Layer]
    var edges: [Edge]

    /// Node names `layer[channel]` of every kept channel.
    var nodes: Set<String> { Set(layers.flatMap { l in l.kept.map { NetworkUnit(layer: l.layer, channel: $0).description } }) }

    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: url)
    }

    static func read(from url: URL, stage: String, slot: String) throws -> CircuitArtifact {
        do { return try JSONDecoder().decode(CircuitArtifact.self, from: Data(contentsOf: url)) } catch {
            throw StageError(stage: stage, path: slot, "cannot read the circuit artifact: \(SystemErrorText.message(for: error))")
        }
    }
}
