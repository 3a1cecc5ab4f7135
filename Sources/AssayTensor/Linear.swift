/// Matrix product `[m, k] · [k, n]` → `[m, n]`.
///
/// Backward: dA = dC · Bᵀ, dB = Aᵀ · dC. Each GEMM is cut along a dimension of
/// its output into `Chunks` fixed by the shapes (see `TensorThreads`); workers
/// take chunks, each calling single-threaded BLAS.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0],
                 "matmul: expects [m, k] · [k, n], got \(a.shape) · \(b.shape)")
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    let workers = TensorThreads.count, precision = TensorPrecision.current
    var out = [Float](repeating: 0, count: m * n)
    a.data.withUnsafeBufferPointer { ap in
        b.data.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { cp in
                let (A, B, C) = (ap.baseAddress!, bp.baseAddress!, cp.baseAddress!)
                let rows = gemmChunks(m)
                TensorThreads.forEachChunk(rows.count, workers: workers) { chunks in
                    for chunk in chunks {
                        let r = rows.range(chunk)
                        forwardGEMM(precision, m: r.count, n: n, k: k, a: A + r.lowerBound * k, lda: k, b: B, ldb: n,
                              c: C + r.lowerBound * n, ldc: n)
                    }
                }
            }
        }
    }
    return Tensor.result(out, shape: [m, n], parents: [a, b]) { result in
        let workers = TensorThreads.count
        result.grad!.withUnsafeBufferPointer { gp in
            let G = gp.baseAddress!
            a.accumulateGrad { da in
                b.data.withUnsafeBufferPointer { bp in
                    let rows = gemmChunks(m)
                    TensorThreads.forEachChunk(rows.count, workers: workers) { chunks in
                        for chunk in chunks {
                            let r = rows.range(chunk)
                            sgemm(transB: true, m: r.count, n: k, k: n, a: G + r.lowerBound * n, lda: n,
                                  b: bp.baseAddress!, ldb: n, beta: 1, c: da + r.lowerBound * k, ldc: k)
                        }
                    }
                }
            }
            b.accumulateGrad { db in
                a.data.withUnsafeBufferPointer { ap in
                    let rows = gemmChunks(k)
                    TensorThreads.forEachChunk(rows.count, workers: workers) { chunks in
                        for chunk in chunks {
                            let r = rows.range(chunk)
                            sgemm(transA: true, m: r.count, n: n, k: m, a: ap.baseAddress! + r.lowerBound, lda: k,
                                  b: G, ldb: n, beta: 1, c: db + r.lowerBound * n, ldc: n)
                        }
                    }
                }
            }
        }
    }
}

/// Fully connected layer in PyTorch's layout: y = x · Wᵀ + b with x `[N, in]`,
/// W `[out, in]`, b `[out]`.
///
/// Backward: dx = dy · W, dW = dyᵀ · x, db = Σₙ dy. Every GEMM is cut along the
/// feature axis of its output (y by output features, dx by input features, dW by
/// rows), in `Chunks` fixed by the layer's widths: the batch is often too small to
/// split, the feature axes rarely are.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
                 "linear: input \(x.shape) does not match weight \(weight.shape) (expected [N, \(weight.rank == 2 ? weight.shape[1] : -1)])")
    let (batch, fanIn, fanOut) = (x.shape[0], x.shape[1], weight.shape[0])
    if let bias { precondition(bias.shape == [fanOut], "linear: bias shape \(bias.shape), expected [\(fanOut)]") }
    let workers = TensorThreads.count, precision = TensorPrecision.current
    var out = [Float](repeating: 0, count: batch * fanOut)
    if let bias {
        for row in 0..<batch { for j in 0..<fanOut { out[row * fanOut + j] = bias.data[j] } }
    }
    let hasBias = bias != nil
    x.data.withUnsafeBufferPointer { xp in
        weight.data.withUnsafeBufferPointer { wp in
            out.withUnsafeMutableBufferPointer { yp in
                let (X, W, Y) = (xp.baseAddress!, wp.baseAddress!, yp.baseAddress!)
                let features = gemmChunks(fanOut)
                TensorThreads.forEachChunk(features.count, workers: workers) { chunks in
                    for chunk in chunks {
                        let f = features.range(chunk)
                        forwardGEMM(precision, transB: true, m: batch, n: f.count, k: fanIn, a: X, lda: fanIn,
                              b: W + f.lowerBound * fanIn, ldb: fanIn, beta: hasBias ? 1 : 0, c: Y + f.lowerBound, ldc: fanOut)
                    }
                }
            }
        }
    }
    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(out, shape: [batch, fanOut], parents: parents) { result in
        let workers = TensorThreads.count
        result.grad!.withUnsafeBufferPointer { gp in
            let G = gp.baseAddress!
            x.accumulateGrad { dx in
                weight.data.withUnsafeBufferPointer { wp in
                    let features = gemmChunks(fanIn)
                    TensorThreads.forEachChunk(features.count, workers: workers) { chunks in
                        for chunk in chunks {
                            let f = features.range(chunk)
                            sgemm(m: batch, n: f.count, k: fanOut, a: G, lda: fanOut,
                                  b: wp.baseAddress! + f.lowerBound, ldb: fanIn, beta: 1, c: dx + f.lowerBound, ldc: fanIn)
                        }
                    }
                }
            }
            weight.accumulateGrad { dw in
                x.data.withUnsafeBufferPointer { xp in
                    let rows = gemmChunks(fanOut)
                    TensorThreads.forEachChunk(rows.count, workers: workers) { chunks in
                        for chunk in chunks {
                            let r = rows.range(chunk)
                            sgemm(transA: true, m: r.count, n: fanIn, k: batch, a: G + r.lowerBound, lda: fanOut,
                                  b: xp.baseAddress!, ldb: fanIn, beta: 1, c: dw + r.lowerBound * fanIn, ldc: fanIn)
                        }
                    }
                }
            }
            bias?.accumulateGrad { db in
                for row in 0..<batch {
                    let g = G + row * fanOut
                    for j in 0..<fanOut { db[j] += g[j] }
                }
            }
        }
    }
}

/// How a GEMM's output axis of `extent` is cut: about 8 chunks (enough for 8
/// workers), each a multiple of 16 wide so BLAS keeps its full-width kernels.
private func gemmChunks(_ extent: Int) -> Chunks {
    Chunks(extent, target: 8, align: 16)
}
