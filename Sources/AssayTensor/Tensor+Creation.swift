import AssaySupport

extension Tensor {
    /// A one-element tensor of shape `[]`.
    public convenience init(scalar: Float) { self.init([scalar], shape: []) }

    /// All zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor([Float](repeating: 0, count: shape.reduce(1, *)), shape: shape)
    }

    /// All ones.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// Every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor([Float](repeating: value, count: shape.reduce(1, *)), shape: shape)
    }

    /// Independent samples of N(mean, std²) (Box–Muller via `SeededRandom.nextNormal`).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout SeededRandom) -> Tensor {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = mean + std * rng.nextNormal() }
        return Tensor(values, shape: shape)
    }

    /// Independent samples of U[low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, rng: inout SeededRandom) -> Tensor {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = low + (high - low) * rng.nextFloat() }
        return Tensor(values, shape: shape)
    }

    /// N(mean, std²) conditioned on [lower, upper] (absolute bounds, as
    /// `torch.nn.init.trunc_normal_`), by rejection: out-of-range draws are redrawn.
    public static func truncatedNormal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                       lower: Float = -2, upper: Float = 2, rng: inout SeededRandom) -> Tensor {
        precondition(lower < upper, "truncatedNormal: lower bound \(lower) must be below upper bound \(upper)")
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var v: Float
            var tries = 0
            repeat {
                v = mean + std * rng.nextNormal()
                tries += 1
            } while (v < lower || v > upper) && tries < 1000
            values[i] = min(max(v, lower), upper)
        }
        return Tensor(values, shape: shape)
    }

    /// Fan-in and fan-out of a weight shape as PyTorch computes them:
    /// `[out, in, k...]` → (in·∏k, out·∏k); `[out, in]` → (in, out).
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "fans: weight shape \(shape) needs at least 2 axes")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Kaiming (He) normal: N(0, gain²/fan), gain = √(2 / (1 + a²)) for (leaky) ReLU
    /// with negative slope `a`; `fan` is fan-in (default) or fan-out.
    public static func kaimingNormal(_ shape: [Int], negativeSlope: Float = 0, fanOut: Bool = false,
                                     rng: inout SeededRandom) -> Tensor {
        let (fi, fo) = fans(of: shape)
        let gain = (2 / (1 + negativeSlope * negativeSlope)).squareRoot()
        return normal(shape, std: gain / Float(fanOut ? fo : fi).squareRoot(), rng: &rng)
    }

    /// Kaiming (He) uniform: U(−b, b), b = gain · √(3 / fan), gain = √(2 / (1 + a²)).
    /// With a = √5 this is PyTorch's default `Conv2d`/`Linear` weight initialisation.
    public static func kaimingUniform(_ shape: [Int], negativeSlope: Float = 0, fanOut: Bool = false,
                                      rng: inout SeededRandom) -> Tensor {
        let (fi, fo) = fans(of: shape)
        let gain = (2 / (1 + negativeSlope * negativeSlope)).squareRoot()
        let bound = gain * (3 / Float(fanOut ? fo : fi)).squareRoot()
        return uniform(shape, low: -bound, high: bound, rng: &rng)
    }

    /// Xavier (Glorot) uniform: U(−b, b), b = gain · √(6 / (fanIn + fanOut)).
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, rng: inout SeededRandom) -> Tensor {
        let (fi, fo) = fans(of: shape)
        let bound = gain * (6 / Float(fi + fo)).squareRoot()
        return uniform(shape, low: -bound, high: bound, rng: &rng)
    }

    /// Xavier (Glorot) normal: N(0, gain² · 2 / (fanIn + fanOut)).
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, rng: inout SeededRandom) -> Tensor {
        let (fi, fo) = fans(of: shape)
        return normal(shape, std: gain * (2 / Float(fi + fo)).squareRoot(), rng: &rng)
    }
}
