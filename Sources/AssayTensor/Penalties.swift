extension Tensor {
    /// L1 penalty Σ |x| (subgradient 0 at 0).
    public func l1Norm() -> Tensor { abs().sum() }

    /// Squared L2 penalty Σ x².
    public func squaredL2Norm() -> Tensor { square().sum() }

    /// Total variation of `[N, C, H, W]` images (anisotropic):
    /// Σ |x[y+1, x] − x[y, x]| + |x[y, x+1] − x[y, x]|, or the squared differences
    /// when `squared` (smooth, as used by feature-visualisation regularisers).
    public func totalVariation(squared: Bool = false) -> Tensor {
        precondition(rank == 4, "totalVariation: expects [N, C, H, W], got \(shape)")
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let input = self
        var total = 0.0
        let xs = data
        func penalty(_ d: Float) -> Float { squared ? d * d : Swift.abs(d) }
        func slope(_ d: Float) -> Float { squared ? 2 * d : (d > 0 ? 1 : (d < 0 ? -1 : 0)) }
        for p in 0..<planes {
            let base = p * h * w
            for y in 0..<h {
                for x in 0..<w {
                    let v = xs[base + y * w + x]
                    if y + 1 < h { total += Double(penalty(xs[base + (y + 1) * w + x] - v)) }
                    if x + 1 < w { total += Double(penalty(xs[base + y * w + x + 1] - v)) }
                }
            }
        }
        return Tensor.result([Float(total)], shape: [], parents: [input]) { result in
            let g = result.grad![0]
            input.accumulateGrad { dx in
                for p in 0..<planes {
                    let base = p * h * w
                    for y in 0..<h {
                        for x in 0..<w {
                            let i = base + y * w + x
                            if y + 1 < h {
                                let s = g * slope(xs[i + w] - xs[i])
                                dx[i + w] += s
                                dx[i] -= s
                            }
                            if x + 1 < w {
                                let s = g * slope(xs[i + 1] - xs[i])
                                dx[i + 1] += s
                                dx[i] -= s
                            }
                        }
                    }
                }
            }
        }
    }
}
