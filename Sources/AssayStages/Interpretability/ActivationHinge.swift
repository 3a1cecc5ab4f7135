import AssayData
import AssayNN
import AssaySupport

/// One term of a manipulation objective: keep a unit's score on some images below (or above)
/// per-image bounds, with a hinge normalised by the unit's original top-1 score s₁:
///
///   below: (1/M) Σ_i max(0, s(x_i) − b_i) / s₁,   above: (1/M) Σ_i max(0, b_i − s(x_i)) / s₁,
///
/// over M images sampled from the set each step (all of them when the set is small).
struct ActivationHinge {
    enum Side { case below, above }

    var dataset: ImageDataset
    var indices: [Int]
    var bounds: [Float]
    var side: Side
    var samplesPerStep: Int

    func loss(_ network: SpecNetwork, unit: NetworkUnit, inputs: NetworkInputs, scale: Float, rng: inout SeededRandom, stage: String) throws -> Tensor {
        guard !indices.isEmpty else { return Tensor(scalar: 0) }
        let picks: [Int]
        if indices.count <= samplesPerStep { picks = Array(indices.indices) } else {
            picks = (0..<samplesPerStep).map { _ in rng.nextInt(below: indices.count) }
        }
        let scores = try unit.forward(network, inputs.batch(dataset, picks.map { indices[$0] }), stage: stage).scores
        let b = Tensor(picks.map { bounds[$0] }, shape: [picks.count])
        let gap = side == .below ? scores - b : b - scores
        return gap.relu().mean() * (1 / scale)
    }
}

/// The images of `dataset` whose pixels equal an image of `set` (decoy or concept images that
/// are also in the ranked split).
func indicesOfImages(in dataset: ImageDataset, matching set: ImageDataset) -> Set<Int> {
    let wanted = Set((0..<set.count).map { Array(set.image(at: $0)) })
    return Set((0..<dataset.count).filter { wanted.contains(Array(dataset.image(at: $0))) })
}
