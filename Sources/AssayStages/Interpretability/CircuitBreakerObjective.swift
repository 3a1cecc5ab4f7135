import AssayData
import AssayLearn
import AssayNN
import AssaySupport

/// The circuit attack: keep the head unit's output while suppressing the attribution of the
/// channels that were the circuit's nodes. Attribution is activation × gradient, so driving a
/// node's (rectified) activation to zero removes its attribution without second derivatives:
///
///   L = (1/|S|) Σ_{c∈S} mean(relu(a_c)²) / mean₀(relu(a_c)²)  +  mean((h − h₀)²) / mean₀(h₀²),
///
/// with S the original top-m channels of each searched layer, h the head unit's score and
/// h₀ the frozen original's, mean₀ over the original model on the sampled split.
struct CircuitBreakerObjective: ManipulationObjective {
    var extractor: CircuitExtractor
    var over: ImageDataset
    var inputs: NetworkInputs
    var sampleIndices: [Int]
    var originalCircuit: CircuitArtifact
    var teacher: SpecNetwork
    /// mean₀(relu(a_c)²) per suppressed node, in `nodes` order.
    var nodes: [(layer: String, channel: Int, energy: Float)]
    var headEnergy: Float
    var samplesPerStep = 32

    init(extractor: CircuitExtractor, over: ImageDataset, samples: Int, original: SpecNetwork, stage: String, cancelled: () throws -> Void) throws {
        let inputs = NetworkInputs(network: original, shape: over.shape)
        let sampleIndices = ChannelAttribution.sampleIndices(count: over.count, samples: samples)
        let circuit = try extractor.extract(original, dataset: over, indices: sampleIndices, stage: stage, cancelled: cancelled)
        var energies: [String: [Double]] = [:], head = 0.0
        try Autograd.withoutGradients {
            try inputs.forEachBatch(over, batchSize: 128, indices: sampleIndices) { x, _ in
                try cancelled()
                let (_, recorded) = try recordedForward(original, x, paths: extractor.layers + [extractor.head.layer], stage: stage)
                for layer in extractor.layers {
                    guard let a = recorded[layer] else { continue }
                    let sums = ChannelAttribution.channelSums(a.relu().square(), gradient: [Float](repeating: 1, count: a.count), kind: .gradient)
                    let perExample = Double(a.count / (a.shape[0] * a.shape[1]))
                    energies[layer, default: [Double](repeating: 0, count: sums.count)] = zip(energies[layer] ?? [Double](repeating: 0, count: sums.count), sums).map { $0 + $1 / perExample }
                }
                if let h = recorded[extractor.head.layer] { head += extractor.head.scores(h).data.reduce(0) { $0 + Double($1 * $1) } }
            }
        }
        self.extractor = extractor
        self.over = over
        self.inputs = inputs
        self.sampleIndices = sampleIndices
        originalCircuit = circuit
        teacher = original
        let n = Double(max(1, sampleIndices.count))
        nodes = circuit.layers.flatMap { l in l.kept.map { (l.layer, $0, Float(max((energies[l.layer]?[$0] ?? 0) / n, 1e-8))) } }
        headEnergy = Float(max(head / n, 1e-8))
    }

    func loss(_ student: SpecNetwork, rng: inout SeededRandom, stage: String) throws -> Tensor {
        let picks = (0..<samplesPerStep).map { _ in sampleIndices[rng.nextInt(below: sampleIndices.count)] }
        let x = inputs.batch(over, picks)
        let (_, recorded) = try recordedForward(student, x, paths: extractor.layers + [extractor.head.layer], stage: stage)
        var suppression = Tensor(scalar: 0)
        for node in nodes {
            guard let a = recorded[node.layer] else { continue }
            suppression = suppression + a.channel(node.channel).relu().square().mean() * (1 / node.energy)
        }
        suppression = suppression * (1 / Float(max(1, nodes.count)))
        guard let h = recorded[extractor.head.layer] else { throw StageError(stage: stage, path: "attack.unit", "the head layer produced no activation") }
        let h0 = Autograd.withoutGradients { (try? extractor.head.forward(teacher, x, stage: stage).scores) ?? Tensor.zeros([picks.count]) }
        let keep = (extractor.head.scores(h) - h0.detached()).square().mean() * (1 / headEnergy)
        return suppression + keep
    }

    func measure(original: SpecNetwork, manipulated: SpecNetwork, stage: String, cancelled: () throws -> Void) throws -> [String: Double] {
        let after = try extractor.extract(manipulated, dataset: over, indices: sampleIndices, stage: stage, cancelled: cancelled)
        var metrics = CompareCircuitsOperator.measure(originalCircuit, after)
        let h0 = try UnitRanking.measure(original, unit: extractor.head, dataset: over, stage: stage, cancelled: cancelled)
        let h1 = try UnitRanking.measure(manipulated, unit: extractor.head, dataset: over, stage: stage, cancelled: cancelled)
        let absolute = h0.scores.reduce(0.0) { $0 + Double(Swift.abs($1)) }
        let error = zip(h0.scores, h1.scores).reduce(0.0) { $0 + Double(Swift.abs($1.0 - $1.1)) }
        metrics["head-relative-error"] = error / max(absolute, 1e-12)
        metrics["head-correlation"] = Self.pearson(h0.scores, h1.scores)
        metrics["over-accuracy-before"] = h0.accuracy(labels: over.labels)
        metrics["over-accuracy-after"] = h1.accuracy(labels: over.labels)
        return metrics
    }

    static func pearson(_ x: [Float], _ y: [Float]) -> Double {
        let n = Double(x.count)
        guard n > 1 else { return .nan }
        let mx = x.reduce(0.0) { $0 + Double($1) } / n, my = y.reduce(0.0) { $0 + Double($1) } / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            let dx = Double(x[i]) - mx, dy = Double(y[i]) - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
    }
}
