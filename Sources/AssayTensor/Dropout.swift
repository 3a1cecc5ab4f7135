import AssaySupport

/// Inverted dropout: each element is kept with probability 1 − p and scaled by
/// 1/(1 − p), so evaluation needs no rescaling. The mask comes from `rng`, so a
/// seeded generator gives the same mask on every run. Backward applies the
/// same mask and scale.
public func dropout(_ x: Tensor, probability p: Float, rng: inout SeededRandom) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout: probability must be in [0, 1), got \(p)")
    if p == 0 { return x }
    let scale = 1 / (1 - p)
    var mask = [Float](repeating: 0, count: x.count)
    for i in 0..<mask.count { mask[i] = rng.nextFloat() < p ? 0 : scale }
    var out = x.data
    for i in 0..<out.count { out[i] *= mask[i] }
    return Tensor.result(out, shape: x.shape, parents: [x]) { result in
        let g = result.grad!
        x.accumulateGrad { dx in for i in 0..<g.count { dx[i] += g[i] * mask[i] } }
    }
}
