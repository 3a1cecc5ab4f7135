import AssaySupport

/// 2-D convolution layer: `weight [out, in, kh, kw]`, optional `bias [out]`
/// (see `conv2d` for the formula). Initialised as PyTorch does: weight
/// Kaiming-uniform with a = √5, i.e. U(−1/√fanIn, 1/√fanIn), bias likewise.
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Size2, padding: Size2, dilation: Size2

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Size2, stride: Size2 = 1, padding: Size2 = 0,
                dilation: Size2 = 1, bias: Bool = true, rng: inout SeededRandom) {
        let shape = [outChannels, inChannels, kernel.h, kernel.w]
        weight = Tensor.kaimingUniform(shape, negativeSlope: Float(5).squareRoot(), rng: &rng)
        let bound = 1 / Float(inChannels * kernel.h * kernel.w).squareRoot()
        self.bias = bias ? Tensor.uniform([outChannels], low: -bound, high: bound, rng: &rng) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }
    public var kernel: Size2 { Size2(weight.shape[2], weight.shape[3]) }

    public override func forward(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
    }
}
