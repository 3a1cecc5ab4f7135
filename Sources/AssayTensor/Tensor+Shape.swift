extension Tensor {
    /// Same values in a new shape; one extent may be −1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshaped: cannot infer −1 in \(newShape) for \(count) elements (shape \(shape))")
            resolved[hole] = count / known
        }
        precondition(resolved.reduce(1, *) == count, "reshaped: shape \(newShape) does not hold \(count) elements (shape \(shape))")
        let input = self
        return Tensor.result(data, shape: resolved, parents: [input]) { result in
            input.addGrad(result.grad!)
        }
    }

    /// `[N, …]` → `[N, ∏…]` (torch.flatten(x, 1)).
    public func flattened() -> Tensor {
        precondition(rank >= 1, "flattened: needs a batch axis")
        return reshaped([shape[0], count / max(shape[0], 1)])
    }

    /// Transpose of a matrix `[m, n]` → `[n, m]`.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed: expects a matrix, got shape \(shape)")
        let (m, n) = (shape[0], shape[1])
        let input = self
        var out = [Float](repeating: 0, count: count)
        for i in 0..<m { for j in 0..<n { out[j * m + i] = data[i * n + j] } }
        return Tensor.result(out, shape: [n, m], parents: [input]) { result in
            let g = result.grad!
            input.accumulateGrad { dx in for i in 0..<m { for j in 0..<n { dx[i * n + j] += g[j * m + i] } } }
        }
    }

    /// Index `index` of axis 1, with that axis removed: `[N, C, H, W]` → `[N, H, W]`,
    /// `[N, C]` → `[N]`. Selects one unit (channel) of a layer.
    public func channel(_ index: Int) -> Tensor {
        precondition(rank >= 2, "channel: needs at least [N, C], got \(shape)")
        precondition(index >= 0 && index < shape[1], "channel: index \(index) out of range for \(shape[1]) channels (shape \(shape))")
        return slice(axis: 1, index..<(index + 1)).reshaped(shape.enumerated().filter { $0.offset != 1 }.map(\.element))
    }

    /// The elements whose index along `axis` lies in `range` (e.g. a sub-batch).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let (outer, extent, inner) = split(around: axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= extent, "slice: range \(range) out of bounds for axis \(axis) of shape \(shape)")
        let width = range.count
        var out = [Float](repeating: 0, count: outer * width * inner)
        for o in 0..<outer {
            let src = (o * extent + range.lowerBound) * inner
            for i in 0..<(width * inner) { out[o * width * inner + i] = data[src + i] }
        }
        var newShape = shape
        newShape[axis] = width
        let input = self
        return Tensor.result(out, shape: newShape, parents: [input]) { result in
            let g = result.grad!
            input.accumulateGrad { dx in
                for o in 0..<outer {
                    let dst = (o * extent + range.lowerBound) * inner
                    for i in 0..<(width * inner) { dx[dst + i] += g[o * width * inner + i] }
                }
            }
        }
    }

    /// Picks `x[n, indices[n]]` from a matrix `[N, C]`: shape `[N]` (a logit per example).
    public func picking(_ indices: [Int]) -> Tensor {
        precondition(rank == 2 && indices.count == shape[0], "picking: expects [N, C] and N indices, got \(shape) and \(indices.count)")
        let c = shape[1]
        precondition(indices.allSatisfy { $0 >= 0 && $0 < c }, "picking: an index is outside 0..<\(c)")
        let input = self
        let out = indices.enumerated().map { data[$0.offset * c + $0.element] }
        return Tensor.result(out, shape: [indices.count], parents: [input]) { result in
            let g = result.grad!
            input.accumulateGrad { dx in for (n, k) in indices.enumerated() { dx[n * c + k] += g[n] } }
        }
    }

    /// Joins tensors along `axis` (all other extents equal). Axis 1 of NCHW maps
    /// is the channel concat used by Fire modules and U-Net-style skips.
    public static func concat(_ parts: [Tensor], axis: Int = 1) -> Tensor {
        precondition(!parts.isEmpty, "concat: no tensors given")
        let first = parts[0]
        for p in parts {
            precondition(p.rank == first.rank && p.shape.enumerated().allSatisfy { $0.offset == axis || $0.element == first.shape[$0.offset] },
                         "concat: shape \(p.shape) does not match \(first.shape) outside axis \(axis)")
        }
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        let extents = parts.map { $0.shape[axis] }
        let total = extents.reduce(0, +)
        var out = [Float](repeating: 0, count: outer * total * inner)
        out.withUnsafeMutableBufferPointer { o in
            var offset = 0
            for (p, e) in zip(parts, extents) {
                p.data.withUnsafeBufferPointer { src in
                    for r in 0..<outer {
                        (o.baseAddress! + (r * total + offset) * inner)
                            .update(from: src.baseAddress! + r * e * inner, count: e * inner)
                    }
                }
                offset += e
            }
        }
        var shape = first.shape
        shape[axis] = total
        return Tensor.result(out, shape: shape, parents: parts) { result in
            let g = result.grad!
            var offset = 0
            for (p, e) in zip(parts, extents) {
                let start = offset
                p.accumulateGrad { dx in
                    for r in 0..<outer {
                        let base = (r * total + start) * inner
                        for i in 0..<(e * inner) { dx[r * e * inner + i] += g[base + i] }
                    }
                }
                offset += e
            }
        }
    }
}
