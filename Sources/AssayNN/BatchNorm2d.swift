/// Batch normalisation layer with learnable `weight` (γ, ones) and `bias` (β, zeros)
/// and buffers `running_mean` (zeros), `running_var` (ones); see `batchNorm`.
/// Works on `[N, C, H, W]` and on `[N, C]` (as BatchNorm1d).
public final class BatchNorm2d: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVar: Tensor
    public let epsilon: Float
    public let momentum: Float

    public init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        weight = Tensor.ones([channels])
        bias = Tensor.zeros([channels])
        runningMean = Tensor.zeros([channels])
        runningVar = Tensor.ones([channels])
        self.epsilon = epsilon
        self.momentum = momentum
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
        registerBuffer("running_mean", runningMean)
        registerBuffer("running_var", runningVar)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        // Running statistics only move when gradients are being recorded for training,
        // or in an explicit training-mode pass.
        batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                  training: isTraining, momentum: momentum, epsilon: epsilon)
    }

    /// `relu(self(x))` as one op (`batchNormReLU`): same values and gradients, one
    /// activation less. Records nothing for an `ActivationRecorder`, so callers use
    /// it only when none is active (`ActivationRecorder.isActive`).
    public func forwardReLU(_ x: Tensor) -> Tensor {
        batchNormReLU(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                      training: isTraining, momentum: momentum, epsilon: epsilon)
    }
}

/// Batch normalisation over features `[N, C]`; the same computation as `BatchNorm2d`.
public typealias BatchNorm1d = BatchNorm2d
