/// The primitive and composite layers a model can be built from.
///
/// Each kind's resolved hyper-parameters (``LayerSpec/attributes``) are listed
/// here; every key is always present after checking, no default stays implicit.
/// Shapes are `[C, H, W]` for images and `[D]` for vectors (no batch axis).
public enum LayerKind: String, Codable, Sendable, CaseIterable {
    /// 2-D convolution. Attributes: `in`, `out` (channels), `kernel` `[kh, kw]`, `stride` `[sh, sw]`,
    /// `padding` `[ph, pw]`, `dilation` `[dh, dw]`, `groups`, `bias` (Bool).
    /// `H' = ⌊(H + 2ph − dh(kh − 1) − 1) / sh⌋ + 1`. Tensors: `weight [out, in/groups, kh, kw]`, `bias [out]`.
    case conv
    /// Transposed 2-D convolution. Attributes as ``conv`` plus `output-padding` `[oh, ow]`.
    /// `H' = (H − 1)·sh − 2ph + dh(kh − 1) + oh + 1`. Tensors: `weight [in, out/groups, kh, kw]`, `bias [out]`.
    case convTranspose = "conv-transpose"
    /// Batch normalisation over channels (2-D) or features (1-D). Attributes: `features`, `eps`, `momentum`.
    /// `y = (x − μ) / √(σ² + eps) · γ + β`. Tensors: `weight`, `bias` (trainable), `running_mean`, `running_var`,
    /// `num_batches_tracked` (buffers, as torchvision saves them).
    case batchnorm
    /// `max(0, x)`. No attributes.
    case relu
    /// `x` if `x > 0` else `slope · x`. Attributes: `slope`.
    case leakyRelu = "leaky-relu"
    /// `tanh(x)`. No attributes.
    case tanh
    /// `1 / (1 + e^(−x))`. No attributes.
    case sigmoid
    /// Max pooling that also keeps the argmax indices for a later `unpool`. Attributes: `kernel`, `stride`,
    /// `padding` (each `[h, w]`), `ceil` (Bool: PyTorch's `ceil_mode`).
    /// `H' = ⌊(H + 2ph − kh) / sh⌋ + 1` (⌈⌉ with `ceil`, dropping a last window that starts in the padding).
    case maxpool
    /// Average pooling. Attributes as ``maxpool`` plus `count-include-pad` (Bool).
    case avgpool
    /// Adaptive average pooling to a fixed output size (PyTorch's `AdaptiveAvgPool2d`). Attributes: `size` `[h, w]`.
    case adaptiveAvgpool = "adaptive-avgpool"
    /// Mean over the spatial axes: `[C, H, W] → [C]`. No attributes.
    case globalAvgpool = "global-avgpool"
    /// Max unpooling: scatters values back to the argmax positions stored by the `maxpool` named in `of`;
    /// zeros elsewhere. Attributes: `of` (the pool layer's name), `size` `[H, W]` (the pool's input size).
    case unpool
    /// SqueezeNet Fire module. Attributes: `in`, `squeeze`, `expand1`, `expand3`, `batch-norm` (Bool).
    /// `relu(concat(expand1x1(s), expand3x3(s)))` with `s = relu(squeeze(x))`, channels `expand1 + expand3`.
    /// Children (torchvision names): `squeeze` (1×1), `squeeze_activation`, `expand1x1` (1×1), `expand1x1_activation`,
    /// `expand3x3` (3×3, padding 1), `expand3x3_activation`; with `batch-norm`, `squeeze_bn`, `expand1x1_bn` and
    /// `expand3x3_bn` between each conv and its ReLU.
    case fire
    /// Squeeze-SegNet decoder module (Fire reversed). Attributes: `in`, `expand1`, `expand3`, `squeeze`, `batch-norm` (Bool).
    /// `relu(squeeze(relu(concat(expand1x1(x), expand3x3(x)))))`. Children: `expand1x1`, `expand3x3`,
    /// `expand_activation`, `squeeze`, `squeeze_activation`; with `batch-norm`, `expand1x1_bn`, `expand3x3_bn` and
    /// `squeeze_bn` after their convs.
    case squeezeDecoder = "squeeze-decoder"
    /// ResNet block. Attributes: `block` (`basic` | `bottleneck`), `in`, `planes`, `out` (`planes` or `4·planes`),
    /// `stride`, `downsample` (Bool). Children as torchvision's `BasicBlock` (`conv1 bn1 conv2 bn2`) or
    /// `Bottleneck` (`conv1 bn1 conv2 bn2 conv3 bn3`, stride on `conv2`), then `downsample.0` (1×1 conv, stride)
    /// and `downsample.1` (batchnorm) when `downsample` is true. `y = relu(F(x) + shortcut(x))`.
    case residual
    /// Fully connected layer `y = W x + b`. Attributes: `in`, `out`, `bias`. Tensors: `weight [out, in]`, `bias [out]`.
    case linear
    /// Dropout (identity at evaluation). Attributes: `p`.
    case dropout
    /// Flattens `[C, H, W]` into `[C·H·W]` in row-major (C, H, W) order, as `torch.flatten(x, 1)`.
    case flatten
    /// Concatenates the current tensor with the outputs of the named earlier layers along channels.
    /// Attributes: `with` (list of layer names).
    case concat
    /// Adds the outputs of the named earlier layers to the current tensor (shapes must be equal).
    /// Attributes: `with` (list of layer names).
    case add

    /// Layers with no hyper-parameter, which may be written as a bare word (`- relu`).
    public var isBareWord: Bool {
        switch self {
        case .relu, .tanh, .sigmoid, .globalAvgpool, .flatten, .leakyRelu, .dropout, .batchnorm: return true
        default: return false
        }
    }
}
