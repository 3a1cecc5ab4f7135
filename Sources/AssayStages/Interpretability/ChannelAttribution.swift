import AssayData
import AssayLanguage
import AssayNN

/// Attribution of every channel of earlier layers to a head unit, averaged over examples:
///
///   A_c = (1/N) Σ_n Σ_{h,w} a_c[n, h, w] · ∂s_head(n)/∂a_c[n, h, w]   (activation × gradient),
///   or (1/N) Σ_n Σ_{h,w} ∂s_head(n)/∂a_c[n, h, w]                     (gradient),
///
/// with s_head the head unit's score (mean spatial activation, or a neuron). A_c is the
/// first-order change of the head when channel c is scaled by (1 + ε), per unit ε.
enum ChannelAttribution {
    enum Kind: String, Codable, Sendable { case activationTimesGradient = "activation-x-gradient", gradient }

    /// Conv layers (module paths) before the head: all of them for `["all"]`, else the named ones.
    static func layers(before head: NetworkUnit, in spec: ModelSpec, requested: [String], stage: String) throws -> [String] {
        let flat = spec.flattenedLayers
        guard let headIndex = flat.firstIndex(where: { $0.path == head.layer || $0.name == head.layer }) else {
            throw StageError(stage: stage, path: "head", "model `\(spec.name)` has no layer `\(head.layer)`")
        }
        if requested.isEmpty || requested.contains("all") {
            return flat[..<headIndex].filter { $0.kind == .conv }.map(\.path)
        }
        return try requested.map { name in
            guard let layer = spec.layer(tapped: name) else { throw StageError(stage: stage, path: "layers", "model `\(spec.name)` has no layer `\(name)`") }
            return layer.path
        }
    }

    /// Evenly spaced example indices: `samples` of `count` (all when fewer).
    static func sampleIndices(count: Int, samples: Int) -> [Int] {
        guard samples < count else { return Array(0..<count) }
        return (0..<samples).map { $0 * count / samples }
    }

    /// A_c per layer (in `layers` order), from examples `indices` of `dataset`.
    static func compute(_ network: SpecNetwork, head: NetworkUnit, layers: [String], dataset: ImageDataset, indices: [Int],
                        kind: Kind = .activationTimesGradient, batchSize: Int = 64, stage: String,
                        cancelled: () throws -> Void = {}) throws -> [[Float]] {
        let inputs = NetworkInputs(network: network, shape: dataset.shape)
        var totals: [[Double]] = []
        try inputs.forEachBatch(dataset, batchSize: batchSize, indices: indices) { x, _ in
            try cancelled()
            x.requiresGrad = true  // so the graph is recorded even for a frozen network
            let (_, recorded) = try recordedForward(network, x, paths: layers + [head.layer], stage: stage)
            guard let headActivation = recorded[head.layer] else { throw StageError(stage: stage, path: "head", "layer `\(head.layer)` produced no activation") }
            head.scores(headActivation).sum().backward()
            for (l, path) in layers.enumerated() {
                guard let a = recorded[path] else { throw StageError(stage: stage, path: "layers", "layer `\(path)` produced no activation") }
                let sums = channelSums(a, gradient: a.grad ?? [Float](repeating: 0, count: a.count), kind: kind)
                if totals.count <= l { totals.append([Double](repeating: 0, count: sums.count)) }
                for c in sums.indices { totals[l][c] += sums[c] }
            }
        }
        network.zeroGrad()
        let n = Double(max(1, indices.count))
        return totals.map { $0.map { Float($0 / n) } }
    }

    /// Σ_n Σ_{h,w} of a·g (or g) per channel of a `[N, C, ...]` activation.
    static func channelSums(_ a: Tensor, gradient g: [Float], kind: Kind) -> [Double] {
        let (n, c) = (a.shape[0], a.shape[1])
        let inner = a.count / max(1, n * c)
        var sums = [Double](repeating: 0, count: c)
        for i in 0..<n {
            for ch in 0..<c {
                let base = (i * c + ch) * inner
                var s = 0.0
                for j in 0..<inner { s += Double(kind == .gradient ? g[base + j] : a.data[base + j] * g[base + j]) }
                sums[ch] += s
            }
        }
        return sums
    }

    /// Indices of the m largest attributions, ties by index.
    static func topChannels(_ attributions: [Float], m: Int) -> [Int] { UnitRanking.top(attributions, k: min(m, attributions.count)) }
}
