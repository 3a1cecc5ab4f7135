/// The ReLU's backward, shared by `relu()` and the ops that end in a ReLU
/// (`batchNormReLU`, `addReLU`) so all give the same gradient bits.
///
/// y > 0 exactly where the ReLU's input is > 0, so the mask comes from the output:
/// dx = g where y > 0 (or y is NaN), else 0.
func reluGradient(_ g: [Float], output y: [Float]) -> [Float] {
    let n = g.count
    return g.withUnsafeBufferPointer { gb in
        y.withUnsafeBufferPointer { yb in
            uninitializedFloats(n) { d in
                TensorThreads.forEachSlice(of: n, minimumPerWorker: 1 << 16) { range in
                    // Branch-free masking: the sign pattern is random, so a branch mispredicts half the time.
                    var i = range.lowerBound
                    let (G, Y) = (UnsafeRawPointer(gb.baseAddress!), UnsafeRawPointer(yb.baseAddress!))
                    while i + 8 <= range.upperBound {
                        let g = G.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                        let y = Y.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(d).storeBytes(of: g.replacing(with: 0, where: y .<= 0), toByteOffset: 4 * i, as: SIMD8<Float>.self)
                        i += 8
                    }
                    while i < range.upperBound {
                        d[i] = yb[i] <= 0 ? 0 : gb[i]  // as the SIMD lanes, NaN included, wherever a slice ends
                        i += 1
                    }
                }
            }
        }
    }
}

/// `(a + b).relu()` in one op (a residual block's end), the same values and
/// gradients to the bit, without storing the sum: one activation less per block
/// and one pass less each way.
public func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "addReLU: shapes \(a.shape) and \(b.shape) differ; reshape one first")
    let n = a.count
    let out = a.data.withUnsafeBufferPointer { x in
        b.data.withUnsafeBufferPointer { y in
            uninitializedFloats(n) { z in
                TensorThreads.forEachSlice(of: n, minimumPerWorker: 1 << 16) { range in
                    for i in range { z[i] = Swift.max(x[i] + y[i], 0) }
                }
            }
        }
    }
    return Tensor.result(out, shape: a.shape, parents: [a, b]) { result in
        let g = reluGradient(result.grad!, output: result.data)
        a.addGrad(g)
        b.addGrad(g)
    }
}
