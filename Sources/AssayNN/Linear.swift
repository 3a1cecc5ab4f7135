import AssaySupport

/// Fully connected layer y = x·Wᵀ + b, `weight [out, in]`, `bias [out]`;
/// PyTorch's initialisation U(−1/√in, 1/√in).
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout SeededRandom) {
        weight = Tensor.kaimingUniform([outFeatures, inFeatures], negativeSlope: Float(5).squareRoot(), rng: &rng)
        let bound = 1 / Float(inFeatures).squareRoot()
        self.bias = bias ? Tensor.uniform([outFeatures], low: -bound, high: bound, rng: &rng) : nil
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// Accepts `[N, in]`, or any `[N, …]` whose trailing extents multiply to `in` (flattened first).
    public override func forward(_ x: Tensor) -> Tensor {
        linear(x.rank == 2 ? x : x.flattened(), weight: weight, bias: bias)
    }
}
