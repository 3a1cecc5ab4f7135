import AssayData
import AssayNN
import AssaySupport

/// ProxPulse: moves the natural FV (push-down of the old top-k, ``RankingObjective``) and
/// shapes the unit's activation landscape so that gradient ascent from noise lands near a
/// target image t. *(The exact form is assumed, per the brief.)* Each step adds hinges that
///
/// - reward high activation at and around the target: s(clip(J(t) + r·ε)) ≥ κ·s₁, ε ~ N(0, I),
///   J a random ±2-pixel circular shift (the visualiser's jitter);
/// - build a ramp from the FV's starting noise to the target: s((1 − λ)·n + λ·t) ≥ λ·κ·s₁,
///   n a noise image like the visualiser's start, λ ~ U(0, 1);
/// - lower the old synthetic FV's optimum: s(x_FV) ≤ ½·s₁,
/// - lower whatever gradient ascent on the *current* student finds (re-run, short, every 10
///   steps): s(x_FV') ≤ s₁, so the target stays the best point ascent can reach, and make a
///   step from there towards the target climb: s(x_FV' + ¼(t − x_FV')) ≥ s(x_FV') + 0.1·s₁,
///
/// each normalised by s₁ (the original top-1 score), with κ = 2.5; raising and lowering hinges are
/// averaged separately, so the few lowered points are not diluted by the many raised ones.
///
/// The target's *layout* is reachable only for a unit that sees the whole input (a neuron of a
/// linear layer, or a channel whose receptive field covers the image): a channel scored by its
/// mean spatial activation over a small receptive field is nearly shift-invariant, so its FV can
/// take the target's texture but not its position (on the Fashion-MNIST CNN, conv2[31]: SSIM to
/// a checkerboard −0.01 → 0.08; fc1[2]: 0.05 → 0.79).
struct ProxPulseObjective: ManipulationObjective {
    var natural: RankingObjective
    var target: [Float]
    var radius: Float
    /// The original model's synthetic FV images (restarts × C×H×W), lowered by the attack.
    var oldSynthetic: [Float]
    var settings: SyntheticSettings
    var gain: Float = 2.5
    var pointsPerStep = 8
    var refreshEvery = 10
    /// The latest synthetic FV of the student (lowered too).
    private var current: [Float] = []

    init(natural: RankingObjective, target: [Float], radius: Float, oldSynthetic: [Float], settings: SyntheticSettings) {
        self.natural = natural
        self.target = target
        self.radius = radius
        self.oldSynthetic = oldSynthetic
        self.settings = settings
    }

    mutating func prepare(step: Int, student: SpecNetwork, stage: String, cancelled: () throws -> Void) throws {
        try natural.prepare(step: step, student: student, stage: stage, cancelled: cancelled)
        guard step % refreshEvery == 0, step > 0 else { return }
        var quick = settings
        quick.steps = 64
        quick.seed = settings.seed &+ UInt64(step)
        current = try SyntheticVisualizer(settings: quick).run(student, unit: context.unit, shape: shape, stage: stage) { _ in try cancelled() }.images
    }

    var context: UnitContext { natural.context }
    var shape: SampleShape { context.over.shape }

    func loss(_ student: SpecNetwork, rng: inout SeededRandom, stage: String) throws -> Tensor {
        let n = shape.count, s1 = context.scale
        // Points that should score high: the target, jittered like the visualiser's transforms
        // and perturbed within the radius, and the ramp from starting noise to the target.
        var raised: [Float] = [], goals: [Float] = []
        for _ in 0..<pointsPerStep {
            let dy = rng.nextInt(below: 5) - 2, dx = rng.nextInt(below: 5) - 2
            raised += rolled(target, dy: dy, dx: dx).map { min(1, max(0, $0 + radius * rng.nextNormal())) }
            goals.append(gain * s1)
        }
        for _ in 0..<pointsPerStep {
            let lambda = rng.nextFloat()
            raised += target.map { (1 - lambda) * min(1, max(0, 0.5 + 0.1 * rng.nextNormal())) + lambda * $0 }
            goals.append(lambda * gain * s1)
        }
        // Points that should score low: the old synthetic FV and the student's current one.
        let lowered = oldSynthetic + current
        let ceilings = [Float](repeating: 0.5 * s1, count: oldSynthetic.count / n) + [Float](repeating: s1, count: current.count / n)
        let up = try scores(raised, student, stage: stage)
        var synthetic = (Tensor(goals, shape: [goals.count]) - up).relu().mean()
        if !ceilings.isEmpty {
            let down = try scores(lowered, student, stage: stage)
            synthetic = synthetic + (down - Tensor(ceilings, shape: [ceilings.count])).relu().mean()
        }
        if !current.isEmpty {
            // From where ascent currently ends, a step towards the target must climb:
            // s(x + ¼(t − x)) ≥ s(x) + 0.1·s₁, which bends the ascent's path to the target.
            var stepped: [Float] = []
            for i in 0..<(current.count / n) {
                stepped += (0..<n).map { current[i * n + $0] + 0.25 * (target[$0] - current[i * n + $0]) }
            }
            let from = try scores(current, student, stage: stage), towards = try scores(stepped, student, stage: stage)
            synthetic = synthetic + (from - towards + 0.1 * s1).relu().mean()
        }
        return try natural.loss(student, rng: &rng, stage: stage) + synthetic * (1 / s1)
    }

    /// The unit's scores on images with values in [0, 1] (in the graph).
    private func scores(_ images: [Float], _ student: SpecNetwork, stage: String) throws -> Tensor {
        let count = images.count / shape.count
        let x = context.inputs.normalized(Tensor(images, shape: [count, shape.channels, shape.height, shape.width]))
        return try context.unit.forward(student, x, stage: stage).scores
    }

    /// A circular shift of a planar image (the visualiser's jitter).
    private func rolled(_ image: [Float], dy: Int, dx: Int) -> [Float] {
        let (h, w) = (shape.height, shape.width)
        var out = image
        for c in 0..<shape.channels {
            for y in 0..<h { for x in 0..<w { out[(c * h + (y + dy + h) % h) * w + (x + dx + w) % w] = image[(c * h + y) * w + x] } }
        }
        return out
    }

    func measure(original: SpecNetwork, manipulated: SpecNetwork, stage: String, cancelled: () throws -> Void) throws -> [String: Double] {
        var metrics = try natural.measure(original: original, manipulated: manipulated, stage: stage, cancelled: cancelled)
        let visualizer = SyntheticVisualizer(settings: settings)
        let before = try visualizer.run(original, unit: context.unit, shape: shape, stage: stage) { _ in try cancelled() }
        let after = try visualizer.run(manipulated, unit: context.unit, shape: shape, stage: stage) { _ in try cancelled() }
        let targetImage = context.inputs.normalized(Tensor(target, shape: [1, shape.channels, shape.height, shape.width]))
        for (name, network) in [("before", original), ("after", manipulated)] {
            metrics["target-activation-\(name)"] = Double(try Autograd.withoutGradients { try context.unit.forward(network, targetImage, stage: stage).scores.data[0] })
        }
        for (name, result) in [("before", before), ("after", after)] {
            let similarity = try TargetSimilarity.measure(result.images, target: target, shape: shape)
            metrics["target-ssim-\(name)"] = similarity.ssim
            metrics["target-cosine-\(name)"] = similarity.cosine
            metrics["synthetic-activation-\(name)"] = Double(result.activations.max() ?? .nan)
        }
        return metrics
    }

    var modelMetadata: [String: String] { [ProxPulseTarget.metadataKey: ProxPulseTarget.encode(target)] }
}
