#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tensor {
    /// Softmax over `axis` (default 1: classes of `[N, C]` or per pixel of `[N, C, H, W]`):
    /// yᵢ = e^{xᵢ − max} / Σⱼ e^{xⱼ − max}. Backward: dx = y ⊙ (dy − Σ dy ⊙ y).
    public func softmax(axis: Int = 1) -> Tensor {
        let (outer, extent, inner) = split(around: axis)
        let out = Tensor.softmaxValues(data, outer: outer, extent: extent, inner: inner, log: false)
        let input = self
        return Tensor.result(out, shape: shape, parents: [input]) { result in
            let g = result.grad!, y = result.data
            input.accumulateGrad { dx in
                for o in 0..<outer {
                    for i in 0..<inner {
                        var dot: Float = 0
                        for k in 0..<extent { let j = (o * extent + k) * inner + i; dot += g[j] * y[j] }
                        for k in 0..<extent { let j = (o * extent + k) * inner + i; dx[j] += y[j] * (g[j] - dot) }
                    }
                }
            }
        }
    }

    /// Log-softmax over `axis`: yᵢ = xᵢ − max − log Σⱼ e^{xⱼ − max}.
    /// Backward: dx = dy − softmax(x) · Σ dy.
    public func logSoftmax(axis: Int = 1) -> Tensor {
        let (outer, extent, inner) = split(around: axis)
        let out = Tensor.softmaxValues(data, outer: outer, extent: extent, inner: inner, log: true)
        let input = self
        return Tensor.result(out, shape: shape, parents: [input]) { result in
            let g = result.grad!, y = result.data
            input.accumulateGrad { dx in
                for o in 0..<outer {
                    for i in 0..<inner {
                        var total: Float = 0
                        for k in 0..<extent { total += g[(o * extent + k) * inner + i] }
                        for k in 0..<extent { let j = (o * extent + k) * inner + i; dx[j] += g[j] - expf(y[j]) * total }
                    }
                }
            }
        }
    }

    /// Softmax or log-softmax values along the middle axis of an (outer, extent, inner) view.
    static func softmaxValues(_ x: [Float], outer: Int, extent: Int, inner: Int, log: Bool) -> [Float] {
        x.withUnsafeBufferPointer { xb in
            uninitializedFloats(x.count) { out in
                let x = xb.baseAddress!
                // Each (o, i) line is independent: workers take slices of `outer`.
                TensorThreads.forEachSlice(of: outer, minimumPerWorker: max(1, (1 << 14) / max(1, extent * inner))) { range in
                    for o in range {
                        for i in 0..<inner {
                            var top = -Float.infinity
                            for k in 0..<extent { top = max(top, x[(o * extent + k) * inner + i]) }
                            var total: Float = 0
                            for k in 0..<extent { total += expf(x[(o * extent + k) * inner + i] - top) }
                            let logTotal = logf(total)
                            for k in 0..<extent {
                                let j = (o * extent + k) * inner + i
                                out[j] = log ? x[j] - top - logTotal : expf(x[j] - top) / total
                            }
                        }
                    }
                }
            }
        }
    }
}
