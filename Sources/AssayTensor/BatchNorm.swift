/// Batch normalisation over axis 1 of `[N, C]` or `[N, C, H, W]`:
/// y = γ · (x − μ) / √(σ² + ε) + β.
///
/// Training: μ, σ² are the batch statistics per channel (σ² biased), and the
/// running statistics move as r ← (1 − m)·r + m·stat with the unbiased variance
/// (PyTorch's convention). Evaluation uses the running statistics.
/// Training backward, with x̂ = (x − μ)/σ and M values per channel:
/// dx = (γ/σ) · (dy − mean(dy) − x̂ · mean(dy · x̂)), dγ = Σ dy·x̂, dβ = Σ dy.
public func batchNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?,
                      runningMean: Tensor, runningVar: Tensor,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
    precondition(x.rank == 2 || x.rank == 4, "batchNorm: input must be [N, C] or [N, C, H, W], got \(x.shape)")
    let (n, c) = (x.shape[0], x.shape[1])
    let plane = x.rank == 4 ? x.shape[2] * x.shape[3] : 1
    precondition(runningMean.shape == [c] && runningVar.shape == [c], "batchNorm: running statistics must have shape [\(c)]")
    if let weight { precondition(weight.shape == [c], "batchNorm: weight shape \(weight.shape), expected [\(c)]") }
    if let bias { precondition(bias.shape == [c], "batchNorm: bias shape \(bias.shape), expected [\(c)]") }
    let m = n * plane
    var mean = [Float](repeating: 0, count: c)
    var invStd = [Float](repeating: 0, count: c)
    if training {
        precondition(m > 1, "batchNorm: training needs more than one value per channel (input \(x.shape))")
        x.data.withUnsafeBufferPointer { xb in
            for ch in 0..<c {
                var total = 0.0
                for img in 0..<n { total += Double(laneSum(xb.baseAddress! + (img * c + ch) * plane, plane)) }
                let mu = total / Double(m)
                var squares = 0.0
                for img in 0..<n {
                    let p = xb.baseAddress! + (img * c + ch) * plane
                    var acc: Float = 0
                    for i in 0..<plane { let d = p[i] - Float(mu); acc += d * d }
                    squares += Double(acc)
                }
                let variance = squares / Double(m)
                mean[ch] = Float(mu)
                invStd[ch] = Float(1 / (variance + Double(epsilon)).squareRoot())
                runningMean.data[ch] = (1 - momentum) * runningMean.data[ch] + momentum * Float(mu)
                runningVar.data[ch] = (1 - momentum) * runningVar.data[ch] + momentum * Float(squares / Double(m - 1))
            }
        }
    } else {
        for ch in 0..<c {
            mean[ch] = runningMean.data[ch]
            invStd[ch] = 1 / (runningVar.data[ch] + epsilon).squareRoot()
        }
    }
    var out = [Float](repeating: 0, count: x.count)
    for img in 0..<n {
        for ch in 0..<c {
            let scale = invStd[ch] * (weight?.data[ch] ?? 1)
            let shift = (bias?.data[ch] ?? 0) - mean[ch] * scale
            let base = (img * c + ch) * plane
            for i in 0..<plane { out[base + i] = x.data[base + i] * scale + shift }
        }
    }
    var parents = [x]
    if let weight { parents.append(weight) }
    if let bias { parents.append(bias) }
    return Tensor.result(out, shape: x.shape, parents: parents) { result in
        let g = result.grad!
        var sumG = [Float](repeating: 0, count: c)
        var sumGX = [Float](repeating: 0, count: c)
        for img in 0..<n {
            for ch in 0..<c {
                let base = (img * c + ch) * plane
                var a: Float = 0, b: Float = 0
                for i in 0..<plane {
                    a += g[base + i]
                    b += g[base + i] * (x.data[base + i] - mean[ch]) * invStd[ch]
                }
                sumG[ch] += a
                sumGX[ch] += b
            }
        }
        x.accumulateGrad { dx in
            for img in 0..<n {
                for ch in 0..<c {
                    let gamma = weight?.data[ch] ?? 1
                    let base = (img * c + ch) * plane
                    if training {
                        let k = gamma * invStd[ch]
                        let meanG = sumG[ch] / Float(m), meanGX = sumGX[ch] / Float(m)
                        for i in 0..<plane {
                            let xhat = (x.data[base + i] - mean[ch]) * invStd[ch]
                            dx[base + i] += k * (g[base + i] - meanG - xhat * meanGX)
                        }
                    } else {
                        let k = gamma * invStd[ch]
                        for i in 0..<plane { dx[base + i] += k * g[base + i] }
                    }
                }
            }
        }
        weight?.accumulateGrad { dw in for ch in 0..<c { dw[ch] += sumGX[ch] } }
        bias?.accumulateGrad { db in for ch in 0..<c { db[ch] += sumG[ch] } }
    }
}
