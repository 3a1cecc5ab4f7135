import AssayData
import AssayNN

/// What every natural-FV manipulation starts from: the unit, the ranked split, and the
/// original model's scores on it (its full ranking), with the derived top-1 scale s₁.
struct UnitContext {
    var unit: NetworkUnit
    var over: ImageDataset
    var inputs: NetworkInputs
    var k: Int
    var original: UnitRanking
    /// Indices by descending original score.
    var order: [Int]

    init(unit: NetworkUnit, over: ImageDataset, k: Int, original network: SpecNetwork, stage: String, cancelled: () throws -> Void) throws {
        self.unit = unit
        self.over = over
        self.k = min(k, over.count)
        inputs = NetworkInputs(network: network, shape: over.shape)
        original = try UnitRanking.measure(network, unit: unit, dataset: over, stage: stage, cancelled: cancelled)
        order = UnitRanking.descendingOrder(original.scores)
    }

    var scores: [Float] { original.scores }
    var top: [Int] { Array(order.prefix(k)) }
    /// s₁, the original top-1 score, as the unit's scale (never below 10⁻³).
    var scale: Float { max(Swift.abs(scores[order[0]]), 1e-3) }
    /// How far down the ranking pushed images must fall: rank 10k.
    var thresholdRank: Int { min(over.count - 1, 10 * k) }
    var threshold: Float { scores[order[thresholdRank]] }

    /// Keeps images ranked just below the old top-k at least as active as before, so pushing the
    /// top-k down reorders the ranking instead of silencing the channel.
    func keepAlive(excluding excluded: Set<Int>, samplesPerStep: Int = 32) -> ActivationHinge {
        let kept = order.filter { !excluded.contains($0) }.prefix(10 * k)
        return ActivationHinge(dataset: over, indices: Array(kept), bounds: kept.map { scores[$0] }, side: .above, samplesPerStep: samplesPerStep)
    }

    /// Pushes `indices` below the rank-10k score (minus a margin of 5% of s₁).
    func pushBelowThreshold(_ dataset: ImageDataset, _ indices: [Int], samplesPerStep: Int = 32) -> ActivationHinge {
        let bound = threshold - 0.05 * scale
        return ActivationHinge(dataset: dataset, indices: indices, bounds: indices.map { _ in bound }, side: .below, samplesPerStep: samplesPerStep)
    }
}
