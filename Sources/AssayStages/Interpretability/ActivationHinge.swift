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
/// are also in the ranked split). Images are compared in place, by hash and then byte for byte,
/// and each is released once compared, so a mapped data set is not pulled into memory.
func indicesOfImages(in dataset: ImageDataset, matching set: ImageDataset) -> Set<Int> {
    let n = dataset.shape.count
    guard n == set.shape.count, n > 0 else { return [] }
    func hash(_ image: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(image))
        return hasher.finalize()
    }
    return set.pixels.withUnsafeBufferPointer { wantedPixels in
        let wanted = (0..<set.count).map { UnsafeBufferPointer(rebasing: wantedPixels[$0 * n ..< ($0 + 1) * n]) }
        let byHash = Dictionary(grouping: wanted.indices, by: { hash(wanted[$0]) })
        var found = Set<Int>()
        dataset.pixels.withUnsafeBufferPointer { pixels in
            for i in 0..<dataset.count {
                let image = UnsafeBufferPointer(rebasing: pixels[i * n ..< (i + 1) * n])
                if let candidates = byHash[hash(image)], candidates.contains(where: { wanted[$0].elementsEqual(image) }) { found.insert(i) }
                dataset.pixels.release(i * n ..< (i + 1) * n)
            }
        }
        return found
    }
}
