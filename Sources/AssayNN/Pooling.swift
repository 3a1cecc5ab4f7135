/// Max pooling that keeps the argmax indices of its last call (`lastIndices`),
/// for a paired `MaxUnpool2d` (SegNet) or inspection.
public final class MaxPool2d: Module {
    public let kernel: Size2, stride: Size2, padding: Size2, dilation: Size2
    public let ceilMode: Bool
    /// Indices from the most recent forward pass.
    public private(set) var lastIndices: MaxPoolIndices?

    public init(kernel: Size2, stride: Size2? = nil, padding: Size2 = 0, dilation: Size2 = 1, ceilMode: Bool = false) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        super.init()
    }

    /// Pools and returns the indices as well (also kept in `lastIndices`).
    public func pooling(_ x: Tensor) -> (output: Tensor, indices: MaxPoolIndices) {
        let result = maxPool2d(x, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
        lastIndices = result.indices
        return result
    }

    public override func forward(_ x: Tensor) -> Tensor { pooling(x).output }
}

/// Max unpooling to the positions recorded by a paired `MaxPool2d` in the same
/// forward pass (zeros elsewhere).
public final class MaxUnpool2d: Module {
    /// The pooling layer whose indices this layer reuses.
    public let pool: MaxPool2d

    public init(pairedWith pool: MaxPool2d) {
        self.pool = pool
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        guard let indices = pool.lastIndices else {
            preconditionFailure("MaxUnpool2d: its paired MaxPool2d has not run yet in this forward pass")
        }
        return maxUnpool2d(x, indices: indices)
    }
}

/// Average pooling layer; see `avgPool2d`.
public final class AvgPool2d: Module {
    public let kernel: Size2, stride: Size2, padding: Size2
    public let ceilMode: Bool, countIncludePad: Bool

    public init(kernel: Size2, stride: Size2? = nil, padding: Size2 = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        avgPool2d(x, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// Adaptive average pooling to a fixed grid (torchvision's `avgpool`); output stays 4-D.
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: Size2

    public init(_ outputSize: Size2) {
        self.outputSize = outputSize
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        if outputSize == Size2(1) {
            let pooled = globalAvgPool2d(x)
            return pooled.reshaped([pooled.shape[0], pooled.shape[1], 1, 1])
        }
        return adaptiveAvgPool2d(x, outputSize: outputSize)
    }
}

/// Global average pooling to `[N, C]`.
public final class GlobalAvgPool2d: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { globalAvgPool2d(x) }
}
