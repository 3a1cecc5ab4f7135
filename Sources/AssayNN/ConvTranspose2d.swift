import AssaySupport

/// Transposed 2-D convolution layer (PyTorch layout `weight [in, out, kh, kw]`);
/// see `convTranspose2d`. Initialised like PyTorch (fan-in from weight axis 1).
public final class ConvTranspose2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Size2, padding: Size2, outputPadding: Size2, dilation: Size2

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Size2, stride: Size2 = 1, padding: Size2 = 0,
                outputPadding: Size2 = 0, dilation: Size2 = 1, bias: Bool = true, rng: inout SeededRandom) {
        let shape = [inChannels, outChannels, kernel.h, kernel.w]
        weight = Tensor.kaimingUniform(shape, negativeSlope: Float(5).squareRoot(), rng: &rng)
        let bound = 1 / Float(outChannels * kernel.h * kernel.w).squareRoot()
        self.bias = bias ? Tensor.uniform([outChannels], low: -bound, high: bound, rng: &rng) : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding,
                        outputPadding: outputPadding, dilation: dilation)
    }
}
