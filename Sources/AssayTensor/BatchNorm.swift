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
    normalize(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
              training: training, momentum: momentum, epsilon: epsilon, relu: false)
}

/// `batchNorm(…).relu()` in one op, with the same values and gradients to the bit:
/// the normalised map is never stored (the ReLU's output alone serves both
/// backward passes, its mask and the batch-norm sums), which saves one activation
/// of memory and one pass over it each way (conv → BN → ReLU in ResNet and SegNet).
public func batchNormReLU(_ x: Tensor, weight: Tensor?, bias: Tensor?,
                          runningMean: Tensor, runningVar: Tensor,
                          training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
    normalize(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
              training: training, momentum: momentum, epsilon: epsilon, relu: true)
}

/// Batch norm, followed by a ReLU when `relu` is set.
private func normalize(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVar: Tensor,
                       training: Bool, momentum: Float, epsilon: Float, relu: Bool) -> Tensor {
    precondition(x.rank == 2 || x.rank == 4, "batchNorm: input must be [N, C] or [N, C, H, W], got \(x.shape)")
    let (n, c) = (x.shape[0], x.shape[1])
    let plane = x.rank == 4 ? x.shape[2] * x.shape[3] : 1
    precondition(runningMean.shape == [c] && runningVar.shape == [c], "batchNorm: running statistics must have shape [\(c)]")
    if let weight { precondition(weight.shape == [c], "batchNorm: weight shape \(weight.shape), expected [\(c)]") }
    if let bias { precondition(bias.shape == [c], "batchNorm: bias shape \(bias.shape), expected [\(c)]") }
    let m = n * plane
    var mean = [Float](repeating: 0, count: c)
    var invStd = [Float](repeating: 0, count: c)
    let gamma = weight?.data ?? [Float](repeating: 1, count: c)
    let beta = bias?.data ?? [Float](repeating: 0, count: c)
    if training {
        precondition(m > 1, "batchNorm: training needs more than one value per channel (input \(x.shape))")
        // Channels are independent: workers take channel slices (deterministic).
        x.data.withUnsafeBufferPointer { xb in
            mean.withUnsafeMutableBufferPointer { meanB in
                invStd.withUnsafeMutableBufferPointer { invB in
                    runningMean.data.withUnsafeMutableBufferPointer { rm in
                        runningVar.data.withUnsafeMutableBufferPointer { rv in
                            let (X, M, I, RM, RV) = (xb.baseAddress!, meanB.baseAddress!, invB.baseAddress!, rm.baseAddress!, rv.baseAddress!)
                            TensorThreads.forEachSlice(of: c) { channels in
                                var squareSums = [Double](repeating: 0, count: channels.count)
                                for ch in channels {
                                    var total = 0.0
                                    for img in 0..<n { total += Double(laneSum(X + (img * c + ch) * plane, plane)) }
                                    M[ch] = Float(total / Double(m))
                                }
                                // Σ (x − μ)² per image, then over images in Double: eight channels
                                // at a time, one per SIMD lane, each lane in the scalar order.
                                var ch = channels.lowerBound
                                while ch + 8 <= channels.upperBound {
                                    let mu = SIMD8<Float>(UnsafeBufferPointer(start: M + ch, count: 8))
                                    var squares = SIMD8<Double>()
                                    for img in 0..<n {
                                        let p = X + (img * c + ch) * plane
                                        var acc = SIMD8<Float>()
                                        for i in 0..<plane { let d = gather8(p + i, stride: plane) - mu; acc += d * d }
                                        squares += SIMD8<Double>(acc)
                                    }
                                    for j in 0..<8 { squareSums[ch + j - channels.lowerBound] = squares[j] }
                                    ch += 8
                                }
                                for ch in ch..<channels.upperBound {
                                    var squares = 0.0
                                    for img in 0..<n {
                                        let p = X + (img * c + ch) * plane
                                        var acc: Float = 0
                                        for i in 0..<plane { let d = p[i] - M[ch]; acc += d * d }
                                        squares += Double(acc)
                                    }
                                    squareSums[ch - channels.lowerBound] = squares
                                }
                                for ch in channels {
                                    let mu = Double(M[ch]), squares = squareSums[ch - channels.lowerBound]
                                    I[ch] = Float(1 / (squares / Double(m) + Double(epsilon)).squareRoot())
                                    RM[ch] = (1 - momentum) * RM[ch] + momentum * Float(mu)
                                    RV[ch] = (1 - momentum) * RV[ch] + momentum * Float(squares / Double(m - 1))
                                }
                            }
                        }
                    }
                }
            }
        }
    } else {
        for ch in 0..<c {
            mean[ch] = runningMean.data[ch]
            invStd[ch] = 1 / (runningVar.data[ch] + epsilon).squareRoot()
        }
    }
    let out = x.data.withUnsafeBufferPointer { xb in
        uninitializedFloats(x.count) { y in
            TensorThreads.forEachSlice(of: n * c, minimumPerWorker: 8) { rows in
                for r in rows {
                    let ch = r % c
                    let scale = invStd[ch] * gamma[ch]
                    let shift = beta[ch] - mean[ch] * scale
                    let base = r * plane
                    if relu {
                        for i in 0..<plane { y[base + i] = Swift.max(xb[base + i] * scale + shift, 0) }
                    } else {
                        for i in 0..<plane { y[base + i] = xb[base + i] * scale + shift }
                    }
                }
            }
        }
    }
    var parents = [x]
    if let weight { parents.append(weight) }
    if let bias { parents.append(bias) }
    return Tensor.result(out, shape: x.shape, parents: parents) { result in
        // With the ReLU, the gradient reaching the batch norm is zero where the
        // output is (the ReLU's own backward, applied to the same output).
        let g = relu ? reluGradient(result.grad!, output: result.data) : result.grad!
        var sumG = [Float](repeating: 0, count: c)
        var sumGX = [Float](repeating: 0, count: c)
        g.withUnsafeBufferPointer { gb in
            x.data.withUnsafeBufferPointer { xb in
                sumG.withUnsafeMutableBufferPointer { sg in
                    sumGX.withUnsafeMutableBufferPointer { sgx in
                        let (G, X, SG, SGX) = (gb.baseAddress!, xb.baseAddress!, sg.baseAddress!, sgx.baseAddress!)
                        TensorThreads.forEachSlice(of: c) { channels in
                            // Eight channels at a time, one per SIMD lane, each lane in the scalar order.
                            var ch = channels.lowerBound
                            while ch + 8 <= channels.upperBound {
                                let mu = SIMD8<Float>(mean[ch..<(ch + 8)]), inv = SIMD8<Float>(invStd[ch..<(ch + 8)])
                                var a = SIMD8<Float>(), b = SIMD8<Float>()
                                for img in 0..<n {
                                    let base = (img * c + ch) * plane
                                    for i in 0..<plane {
                                        let g = gather8(G + base + i, stride: plane), x = gather8(X + base + i, stride: plane)
                                        a += g
                                        b += g * (x - mu) * inv
                                    }
                                }
                                for j in 0..<8 { SG[ch + j] = a[j]; SGX[ch + j] = b[j] }
                                ch += 8
                            }
                            for ch in ch..<channels.upperBound {
                                var a: Float = 0, b: Float = 0
                                for img in 0..<n {
                                    let base = (img * c + ch) * plane
                                    for i in 0..<plane {
                                        a += G[base + i]
                                        b += G[base + i] * (X[base + i] - mean[ch]) * invStd[ch]
                                    }
                                }
                                SG[ch] = a
                                SGX[ch] = b
                            }
                        }
                    }
                }
            }
        }
        if x.requiresGrad {
            var dxValues = [Float](repeating: 0, count: x.count)
            dxValues.withUnsafeMutableBufferPointer { db in
                g.withUnsafeBufferPointer { gb in
                    x.data.withUnsafeBufferPointer { xb in
                        let (D, G, X) = (db.baseAddress!, gb.baseAddress!, xb.baseAddress!)
                        TensorThreads.forEachSlice(of: n * c, minimumPerWorker: 8) { rows in
                            for r in rows {
                                let ch = r % c
                                let k = gamma[ch] * invStd[ch]
                                let base = r * plane
                                if training {
                                    let meanG = sumG[ch] / Float(m), meanGX = sumGX[ch] / Float(m)
                                    for i in 0..<plane {
                                        let xhat = (X[base + i] - mean[ch]) * invStd[ch]
                                        D[base + i] = k * (G[base + i] - meanG - xhat * meanGX)
                                    }
                                } else {
                                    for i in 0..<plane { D[base + i] = k * G[base + i] }
                                }
                            }
                        }
                    }
                }
            }
            x.addGrad(dxValues)
        }
        weight?.accumulateGrad { dw in for ch in 0..<c { dw[ch] += sumGX[ch] } }
        bias?.accumulateGrad { db in for ch in 0..<c { db[ch] += sumG[ch] } }
    }
}

/// p[0], p[stride], …, p[7·stride]: one element of eight consecutive channel planes.
@inline(__always)
private func gather8(_ p: UnsafePointer<Float>, stride: Int) -> SIMD8<Float> {
    SIMD8(p[0], p[stride], p[2 * stride], p[3 * stride], p[4 * stride], p[5 * stride], p[6 * stride], p[7 * stride])
}
