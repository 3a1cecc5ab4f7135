import AssayData
import AssayNN
import AssaySupport

/// A term that orders two image sets for a unit: every `winner` should score at least a margin
/// δ above every `loser`,
///
///   (1/M²) Σ_{i,j} max(0, s(loser_j) − s(winner_i) + δ) / s₁,
///
/// over M images sampled from each set per step. Relative, so the unit may move either set
/// (raise decoys or lower their rivals) as long as the ranking flips.
struct RankingMargin: ManipulationTerm {
    var winners: (dataset: ImageDataset, indices: [Int])
    var losers: (dataset: ImageDataset, indices: [Int])
    var margin: Float
    var samplesPerStep = 16

    func loss(_ network: SpecNetwork, unit: NetworkUnit, inputs: NetworkInputs, scale: Float, rng: inout SeededRandom, stage: String) throws -> Tensor {
        guard !winners.indices.isEmpty, !losers.indices.isEmpty else { return Tensor(scalar: 0) }
        func sample(_ set: [Int]) -> [Int] { (0..<min(samplesPerStep, set.count)).map { _ in set[rng.nextInt(below: set.count)] } }
        let w = sample(winners.indices), l = sample(losers.indices)
        let sw = try unit.forward(network, inputs.batch(winners.dataset, w), stage: stage).scores
        let sl = try unit.forward(network, inputs.batch(losers.dataset, l), stage: stage).scores
        // All pairs: [M_w, 1] against [1, M_l] as explicit matrices (no broadcasting).
        let pairsW = matmul(sw.reshaped([w.count, 1]), Tensor.ones([1, l.count]))
        let pairsL = matmul(Tensor.ones([w.count, 1]), sl.reshaped([1, l.count]))
        return (pairsL - pairsW + margin).relu().mean() * (1 / scale)
    }
}
