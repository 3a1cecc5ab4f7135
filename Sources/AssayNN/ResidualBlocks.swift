import AssaySupport

/// The projection shortcut torchvision uses when a residual block changes shape:
/// `downsample.0` = 1x1 conv (stride s, no bias), `downsample.1` = BatchNorm2d.
func projectionShortcut(_ inChannels: Int, _ outChannels: Int, stride: Int, rng: inout SeededRandom) -> Sequential {
    Sequential(Conv2d(inChannels, outChannels, kernel: 1, stride: Size2(stride), bias: false, rng: &rng),
               BatchNorm2d(outChannels))
}

/// ResNet basic block (torchvision names): conv1 3x3 (stride) → bn1 → relu →
/// conv2 3x3 → bn2, plus the identity or `downsample` shortcut, then ReLU.
public final class BasicBlock: Module {
    public static let expansion = 1
    public let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d
    public let downsample: Sequential?

    /// A projection shortcut is added when `stride != 1` or the channel count changes.
    public init(_ inChannels: Int, _ planes: Int, stride: Int = 1, rng: inout SeededRandom) {
        conv1 = Conv2d(inChannels, planes, kernel: 3, stride: Size2(stride), padding: 1, bias: false, rng: &rng)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernel: 3, padding: 1, bias: false, rng: &rng)
        bn2 = BatchNorm2d(planes)
        downsample = (stride != 1 || inChannels != planes) ? projectionShortcut(inChannels, planes, stride: stride, rng: &rng) : nil
        super.init()
        register("conv1", conv1)
        register("bn1", bn1)
        register("relu", ReLU())
        register("conv2", conv2)
        register("bn2", bn2)
        if let downsample { register("downsample", downsample) }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let relu = child("relu")
        guard !ActivationRecorder.isActive else {
            let y = bn2(conv2(relu(bn1(conv1(x)))))
            return relu(y + (downsample?(x) ?? x))
        }
        // The same computation with batch norm + ReLU and add + ReLU fused (fewer activations kept).
        return addReLU(bn2(conv2(bn1.forwardReLU(conv1(x)))), downsample?(x) ?? x)
    }
}

/// ResNet bottleneck block (torchvision v1.5: stride on the 3x3): conv1 1x1 →
/// bn1 → relu → conv2 3x3 (stride) → bn2 → relu → conv3 1x1 (4·planes) → bn3,
/// plus the shortcut, then ReLU.
public final class Bottleneck: Module {
    public static let expansion = 4
    public let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, conv3: Conv2d, bn3: BatchNorm2d
    public let downsample: Sequential?

    public init(_ inChannels: Int, _ planes: Int, stride: Int = 1, rng: inout SeededRandom) {
        let out = planes * Bottleneck.expansion
        conv1 = Conv2d(inChannels, planes, kernel: 1, bias: false, rng: &rng)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernel: 3, stride: Size2(stride), padding: 1, bias: false, rng: &rng)
        bn2 = BatchNorm2d(planes)
        conv3 = Conv2d(planes, out, kernel: 1, bias: false, rng: &rng)
        bn3 = BatchNorm2d(out)
        downsample = (stride != 1 || inChannels != out) ? projectionShortcut(inChannels, out, stride: stride, rng: &rng) : nil
        super.init()
        register("conv1", conv1)
        register("bn1", bn1)
        register("conv2", conv2)
        register("bn2", bn2)
        register("conv3", conv3)
        register("bn3", bn3)
        register("relu", ReLU())
        if let downsample { register("downsample", downsample) }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let relu = child("relu")
        guard !ActivationRecorder.isActive else {
            let y = bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x))))))))
            return relu(y + (downsample?(x) ?? x))
        }
        // The same computation with batch norm + ReLU and add + ReLU fused (fewer activations kept).
        return addReLU(bn3(conv3(bn2.forwardReLU(conv2(bn1.forwardReLU(conv1(x)))))), downsample?(x) ?? x)
    }
}
