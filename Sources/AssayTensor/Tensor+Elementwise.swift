#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Elementwise arithmetic and activations. Binary ops take equal shapes (no
// implicit broadcasting: shape mistakes should fail loudly, not broadcast).

extension Tensor {
    /// Applies `f` elementwise; backward multiplies the incoming gradient by
    /// `df(x, y)` evaluated at input x and output y.
    func unary(_ f: (Float) -> Float, derivative df: @escaping (Float, Float) -> Float) -> Tensor {
        let input = self
        let out = data.map(f)
        return Tensor.result(out, shape: shape, parents: [input]) { result in
            let g = result.grad!, y = result.data, x = input.data
            input.accumulateGrad { dx in
                for i in 0..<g.count { dx[i] += g[i] * df(x[i], y[i]) }
            }
        }
    }

    /// ReLU: y = max(x, 0); dy/dx = 1 where x > 0.
    public func relu() -> Tensor {
        let input = self
        let n = count
        let out = data.withUnsafeBufferPointer { xb in
            uninitializedFloats(n) { y in
                TensorThreads.forEachSlice(of: n, minimumPerWorker: 1 << 16) { range in
                    for i in range { y[i] = Swift.max(xb[i], 0) }
                }
            }
        }
        return Tensor.result(out, shape: shape, parents: [input]) { result in
            input.addGrad(reluGradient(result.grad!, output: result.data))
        }
    }

    /// Leaky ReLU: y = x for x > 0, else slope · x.
    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        unary({ $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
    }

    /// y = tanh x; dy/dx = 1 − y².
    public func tanh() -> Tensor {
        unary({ tanhf($0) }, derivative: { _, y in 1 - y * y })
    }

    /// Logistic sigmoid y = 1 / (1 + e^−x); dy/dx = y(1 − y).
    public func sigmoid() -> Tensor {
        unary({ 1 / (1 + expf(-$0)) }, derivative: { _, y in y * (1 - y) })
    }

    /// y = eˣ.
    public func exp() -> Tensor { unary({ expf($0) }, derivative: { _, y in y }) }

    /// y = ln x (x > 0).
    public func log() -> Tensor { unary({ logf($0) }, derivative: { x, _ in 1 / x }) }

    /// y = x².
    public func square() -> Tensor { unary({ $0 * $0 }, derivative: { x, _ in 2 * x }) }

    /// y = |x|; the subgradient at 0 is 0.
    public func abs() -> Tensor {
        unary({ Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }

    /// y = √(x + ε) (ε keeps the derivative finite at 0).
    public func sqrt(epsilon: Float = 0) -> Tensor {
        unary({ ($0 + epsilon).squareRoot() }, derivative: { _, y in 0.5 / y })
    }

    /// y = x · s + b for scalars s, b.
    public func affine(scale s: Float, shift b: Float = 0) -> Tensor {
        unary({ $0 * s + b }, derivative: { _, _ in s })
    }

    /// y = min(max(x, low), high); gradient passes only strictly inside.
    public func clamped(_ low: Float, _ high: Float) -> Tensor {
        unary({ Swift.min(Swift.max($0, low), high) }, derivative: { x, _ in (x > low && x < high) ? 1 : 0 })
    }

    /// Applies `f` to matching elements of two equal-shape tensors; `da(x, y)` and
    /// `db(x, y)` are the partial derivatives of f with respect to each argument.
    func binary(_ other: Tensor, _ op: String, _ f: (Float, Float) -> Float,
                _ da: @escaping (Float, Float) -> Float, _ db: @escaping (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "Tensor \(op): shapes \(shape) and \(other.shape) differ; reshape one first")
        let a = self, b = other
        var out = [Float](repeating: 0, count: count)
        for i in 0..<out.count { out[i] = f(a.data[i], b.data[i]) }
        return Tensor.result(out, shape: shape, parents: [a, b]) { result in
            let g = result.grad!, av = a.data, bv = b.data
            a.accumulateGrad { d in for i in 0..<g.count { d[i] += g[i] * da(av[i], bv[i]) } }
            b.accumulateGrad { d in for i in 0..<g.count { d[i] += g[i] * db(av[i], bv[i]) } }
        }
    }

    /// Elementwise sum (also the residual add). Backward hands the same gradient
    /// array to both inputs (shared, copied only if one is later modified).
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "Tensor +: shapes \(a.shape) and \(b.shape) differ; reshape one first")
        let n = a.count
        let out = a.data.withUnsafeBufferPointer { x in
            b.data.withUnsafeBufferPointer { y in
                uninitializedFloats(n) { z in for i in 0..<n { z[i] = x[i] + y[i] } }
            }
        }
        return Tensor.result(out, shape: a.shape, parents: [a, b]) { result in
            a.addGrad(result.grad!)
            b.addGrad(result.grad!)
        }
    }

    /// Elementwise difference.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        a.binary(b, "-", -, { _, _ in 1 }, { _, _ in -1 })
    }

    /// Elementwise (Hadamard) product.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        a.binary(b, "*", *, { _, y in y }, { x, _ in x })
    }

    /// Elementwise quotient a / b.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        a.binary(b, "/", /, { _, y in 1 / y }, { x, y in -x / (y * y) })
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s) }
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1) }
}


extension Tensor {
    /// Per-channel affine map of `[N, C, H, W]` (or `[N, C]`): y[n, c, …] = x[n, c, …] · scale[c] + shift[c].
    /// With scale = 1/std and shift = −mean/std it is torchvision's input
    /// normalisation, differentiable in x (feature visualisation optimises x).
    public func channelAffine(scale: [Float], shift: [Float]) -> Tensor {
        precondition(rank >= 2 && scale.count == shape[1] && shift.count == shape[1],
                     "channelAffine: \(scale.count) scales and \(shift.count) shifts for shape \(shape) (need one per channel)")
        let (n, c) = (shape[0], shape[1])
        let plane = count / max(n * c, 1)
        var out = data
        for img in 0..<n {
            for ch in 0..<c {
                let base = (img * c + ch) * plane
                for i in 0..<plane { out[base + i] = out[base + i] * scale[ch] + shift[ch] }
            }
        }
        let input = self
        return Tensor.result(out, shape: shape, parents: [input]) { result in
            let g = result.grad!
            input.accumulateGrad { dx in
                for img in 0..<n {
                    for ch in 0..<c {
                        let base = (img * c + ch) * plane
                        for i in 0..<plane { dx[base + i] += g[base + i] * scale[ch] }
                    }
                }
            }
        }
    }
}
