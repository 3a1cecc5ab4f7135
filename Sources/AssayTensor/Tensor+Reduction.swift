extension Tensor {
    /// Σᵢ xᵢ as a scalar (accumulated in Double so long sums stay exact to Float).
    public func sum() -> Tensor {
        let input = self
        var total = 0.0
        for v in data { total += Double(v) }
        return Tensor.result([Float(total)], shape: [], parents: [input]) { result in
            let g = result.grad![0]
            input.accumulateGrad { dx in for i in 0..<input.count { dx[i] += g } }
        }
    }

    /// (1/n) Σᵢ xᵢ as a scalar.
    public func mean() -> Tensor {
        precondition(count > 0, "Tensor.mean: empty tensor of shape \(shape)")
        return sum() * (1 / Float(count))
    }

    /// Splits the shape around `axis` into (outer, extent, inner) for strided loops.
    func split(around axis: Int) -> (outer: Int, extent: Int, inner: Int) {
        precondition(axis >= 0 && axis < rank, "axis \(axis) out of range for shape \(shape)")
        return (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Sum over one axis; the axis is removed (or kept with extent 1).
    ///
    /// y[o, i] = Σₖ x[o, k, i]
    public func sum(axis: Int, keepingAxis: Bool = false) -> Tensor {
        let input = self
        let (outer, extent, inner) = split(around: axis)
        var out = [Float](repeating: 0, count: outer * inner)
        data.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for k in 0..<extent {
                    let base = (o * extent + k) * inner
                    for i in 0..<inner { out[o * inner + i] += x[base + i] }
                }
            }
        }
        var newShape = shape
        if keepingAxis { newShape[axis] = 1 } else { newShape.remove(at: axis) }
        return Tensor.result(out, shape: newShape, parents: [input]) { result in
            let g = result.grad!
            input.accumulateGrad { dx in
                for o in 0..<outer {
                    for k in 0..<extent {
                        let base = (o * extent + k) * inner
                        for i in 0..<inner { dx[base + i] += g[o * inner + i] }
                    }
                }
            }
        }
    }

    /// Mean over one axis: y = (1/extent) Σₖ x[…, k, …].
    public func mean(axis: Int, keepingAxis: Bool = false) -> Tensor {
        sum(axis: axis, keepingAxis: keepingAxis) * (1 / Float(shape[axis]))
    }

    /// Mean over every axis after the first: one value per example, shape `[N]`
    /// (e.g. a unit's mean spatial activation per image).
    public func meanPerExample() -> Tensor {
        precondition(rank >= 1, "meanPerExample: needs a batch axis, got a scalar")
        return reshaped([shape[0], -1]).mean(axis: 1)
    }
}

extension Tensor {
    /// Index of the largest value along `axis` for every other position (first
    /// on ties): predicted classes from `[N, C]` logits, or per pixel from
    /// `[N, C, H, W]` (n, y, x order). Not differentiable.
    public func argmax(axis: Int = 1) -> [Int] {
        let (outer, extent, inner) = split(around: axis)
        var result = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = data[o * extent * inner + i], bestIndex = 0
                for k in 1..<max(extent, 1) {
                    let v = data[(o * extent + k) * inner + i]
                    if v > best {
                        best = v
                        bestIndex = k
                    }
                }
                result[o * inner + i] = bestIndex
            }
        }
        return result
    }
}
