import AssayData
import AssayNN
import AssaySupport

/// ProxPulse: moves the natural FV (push-down of the old top-k, ``RankingObjective``) and
/// shapes the unit's activation landscape so that gradient ascent from noise lands near a
/// target image t. *(The exact form is assumed, per the brief.)* Each step adds hinges that
///
/// - reward high activation at and around the target: s(clip(t + r·ε)) ≥ κ·s₁, ε ~ N(0, I);
/// - build a ramp from the FV's starting noise to the target: s((1 − λ)·n + λ·t) ≥ λ·κ·s₁,
///   n a noise image like the visualiser's start, λ ~ U(0, 1);
/// - lower the old synthetic FV's optimum: s(x_FV) ≤ ½·s₁,
/// - lower whatever gradient ascent on the *current* student finds (re-run, short, every 25
///   steps): s(x_FV') ≤ s₁, so the target stays the best point ascent can reach,
///
/// each normalised by s₁ (the original top-1 score), with κ = 2.5.
struct ProxPulseObjective: ManipulationObjective {
    var natural: RankingObjective
    var target: [Float]
    var radius: Float
    /// The original model's synthetic FV images (restarts × C×H×W), lowered by the attack.
    var oldSynthetic: [Float]
    var settings: SyntheticSettings
    var gain: Float = 2.5
    var pointsPerStep = 8
    var refreshEvery = 25
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
        var images: [Float] = [], bounds: [Float] = [], sides: [Float] = []
        for _ in 0..<pointsPerStep {
            images += target.map { min(1, max(0, $0 + radius * rng.nextNormal())) }
            bounds.append(gain * s1); sides.append(1)
        }
        for _ in 0..<pointsPerStep {
            let lambda = rng.nextFloat()
            images += target.map { (1 - lambda) * min(1, max(0, 0.5 + 0.1 * rng.nextNormal())) + lambda * $0 }
            bounds.append(lambda * gain * s1); sides.append(1)
        }
        let old = oldSynthetic.count / n
        images += oldSynthetic
        for _ in 0..<old { bounds.append(0.5 * s1); sides.append(-1) }
        images += current
        for _ in 0..<(current.count / n) { bounds.append(s1); sides.append(-1) }
        let count = images.count / n
        let x = context.inputs.normalized(Tensor(images, shape: [count, shape.channels, shape.height, shape.width]))
        let scores = try context.unit.forward(student, x, stage: stage).scores
        // side · (b − s) > 0 is a violation: below the bound for "above" (+1), over it for "below" (−1).
        let gap = (Tensor(bounds, shape: [count]) - scores) * Tensor(sides, shape: [count])
        let synthetic = gap.relu().mean() * (1 / s1)
        return try natural.loss(student, rng: &rng, stage: stage) + synthetic
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
