/// Matrix product `[m, k] · [k, n]` → `[m, n]`.
///
/// Backward: dA = dC · Bᵀ, dB = Aᵀ · dC. Rows of the output are split over
/// `TensorThreads.count` workers, each calling single-threaded BLAS.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0],
                 "matmul: expects [m, k] · [k, n], got \(a.shape) · \(b.shape)")
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    var out = [Float](repeating: 0, count: m * n)
    a.data.withUnsafeBufferPointer { ap in
        b.data.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { cp in
                let (A, B, C) = (ap.baseAddress!, bp.baseAddress!, cp.baseAddress!)
                TensorThreads.forEachSlice(of: m, minimumPerWorker: 8) { _, rows in
                    sgemm(m: rows.count, n: n, k: k, a: A + rows.lowerBound * k, lda: k, b: B, ldb: n,
                          c: C + rows.lowerBound * n, ldc: n)
                }
            }
        }
    }
    return Tensor.result(out, shape: [m, n], parents: [a, b]) { result in
        result.grad!.withUnsafeBufferPointer { gp in
            let G = gp.baseAddress!
            a.accumulateGrad { da in
                b.data.withUnsafeBufferPointer { bp in
                    TensorThreads.forEachSlice(of: m, minimumPerWorker: 8) { _, rows in
                        sgemm(transB: true, m: rows.count, n: k, k: n, a: G + rows.lowerBound * n, lda: n,
                              b: bp.baseAddress!, ldb: n, beta: 1, c: da + rows.lowerBound * k, ldc: k)
                    }
                }
            }
            b.accumulateGrad { db in
                a.data.withUnsafeBufferPointer { ap in
                    TensorThreads.forEachSlice(of: k, minimumPerWorker: 8) { _, rows in
                        sgemm(transA: true, m: rows.count, n: n, k: m, a: ap.baseAddress! + rows.lowerBound, lda: k,
                              b: G, ldb: n, beta: 1, c: db + rows.lowerBound * n, ldc: n)
                    }
                }
            }
        }
    }
}

/// Fully connected layer in PyTorch's layout: y = x · Wᵀ + b with x `[N, in]`,
/// W `[out, in]`, b `[out]`.
///
/// Backward: dx = dy · W, dW = dyᵀ · x, db = Σₙ dy. GEMMs are split by rows
/// (of x for the forward and dx, of W for dW) over the workers.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
                 "linear: input \(x.shape) does not match weight \(weight.shape) (expected [N, \(weight.rank == 2 ? weight.shape[1] : -1)])")
    let (batch, fanIn, fanOut) = (x.shape[0], x.shape[1], weight.shape[0])
    if let bias { precondition(bias.shape == [fanOut], "linear: bias shape \(bias.shape), expected [\(fanOut)]") }
    var out = [Float](repeating: 0, count: batch * fanOut)
    if let bias {
        for row in 0..<batch { for j in 0..<fanOut { out[row * fanOut + j] = bias.data[j] } }
    }
    let hasBias = bias != nil
    x.data.withUnsafeBufferPointer { xp in
        weight.data.withUnsafeBufferPointer { wp in
            out.withUnsafeMutableBufferPointer { yp in
                let (X, W, Y) = (xp.baseAddress!, wp.baseAddress!, yp.baseAddress!)
                TensorThreads.forEachSlice(of: batch, minimumPerWorker: 4) { _, rows in
                    sgemm(transB: true, m: rows.count, n: fanOut, k: fanIn, a: X + rows.lowerBound * fanIn, lda: fanIn,
                          b: W, ldb: fanIn, beta: hasBias ? 1 : 0, c: Y + rows.lowerBound * fanOut, ldc: fanOut)
                }
            }
        }
    }
    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(out, shape: [batch, fanOut], parents: parents) { result in
        result.grad!.withUnsafeBufferPointer { gp in
            let G = gp.baseAddress!
            x.accumulateGrad { dx in
                weight.data.withUnsafeBufferPointer { wp in
                    TensorThreads.forEachSlice(of: batch, minimumPerWorker: 4) { _, rows in
                        sgemm(m: rows.count, n: fanIn, k: fanOut, a: G + rows.lowerBound * fanOut, lda: fanOut,
                              b: wp.baseAddress!, ldb: fanIn, beta: 1, c: dx + rows.lowerBound * fanIn, ldc: fanIn)
                    }
                }
            }
            weight.accumulateGrad { dw in
                x.data.withUnsafeBufferPointer { xp in
                    TensorThreads.forEachSlice(of: fanOut, minimumPerWorker: 4) { _, rows in
                        sgemm(transA: true, m: rows.count, n: fanIn, k: batch, a: G + rows.lowerBound, lda: fanOut,
                              b: xp.baseAddress!, ldb: fanIn, beta: 1, c: dw + rows.lowerBound * fanIn, ldc: fanIn)
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
