import AssaySupport

/// A layer as written (or as a built-in expands), before shapes are known.
struct LayerDecl {
    var kind: LayerKind
    /// The name written in the experiment, or the module path for built-ins.
    var name: String?
    /// The module path; nil means "use the name, else the index in the list".
    var path: String?
    /// Arguments by surface name (`out`, `kernel`, `pad`, ...), already type-checked.
    var args: [String: CanonicalValue]
    var span: SourceSpan
    /// The data path (`models.cnn[3]`) for messages.
    var dataPath: String
}

/// The arguments each layer kind accepts in an experiment, with defaults.
///
/// Sizes (`kernel`, `stride`, `pad`, `size`) accept an integer or an `[h, w]` pair.
/// `nil` default with `required` means the argument must be given; the first
/// argument listed for a kind is its shorthand (`- linear: 128`, `- maxpool: 2`).
enum LayerArguments {
    struct Argument {
        var name: String
        var type: ParameterType
        var defaultValue: CanonicalValue?
        var required: Bool
        var min: Double?
        var doc: String
    }

    static func arg(_ name: String, _ type: ParameterType, _ defaultValue: CanonicalValue? = nil, required: Bool = false, min: Double? = nil, _ doc: String) -> Argument {
        Argument(name: name, type: type, defaultValue: defaultValue, required: required, min: min, doc: doc)
    }

    /// `int` or `[h, w]`.
    static let size = ParameterType.list(.int)

    static func arguments(of kind: LayerKind) -> [Argument] {
        switch kind {
        case .conv:
            return [
                arg("out", .int, required: true, min: 1, "Output channels."),
                arg("kernel", size, 3, min: 1, "Kernel size."),
                arg("stride", size, 1, min: 1, "Stride."),
                arg("pad", size, 0, min: 0, "Zero padding on each side."),
                arg("dilation", size, 1, min: 1, "Dilation."),
                arg("groups", .int, 1, min: 1, "Channel groups."),
                arg("bias", .bool, true, "Learn a bias."),
            ]
        case .convTranspose:
            return [
                arg("out", .int, required: true, min: 1, "Output channels."),
                arg("kernel", size, 2, min: 1, "Kernel size."),
                arg("stride", size, 2, min: 1, "Stride."),
                arg("pad", size, 0, min: 0, "Padding removed from each side."),
                arg("output-pad", size, 0, min: 0, "Extra size added on one side."),
                arg("dilation", size, 1, min: 1, "Dilation."),
                arg("groups", .int, 1, min: 1, "Channel groups."),
                arg("bias", .bool, true, "Learn a bias."),
            ]
        case .batchnorm:
            return [arg("eps", .double, 1e-5, min: 0, "ε added to the variance."), arg("momentum", .double, 0.1, min: 0, "Running-statistics momentum.")]
        case .leakyRelu:
            return [arg("slope", .double, 0.01, min: 0, "Negative slope.")]
        case .maxpool, .avgpool:
            var args = [
                arg("kernel", size, 2, min: 1, "Window size."),
                arg("stride", size, nil, min: 1, "Stride (default: the kernel)."),
                arg("pad", size, 0, min: 0, "Padding on each side."),
                arg("ceil", .bool, false, "Round output sizes up (PyTorch `ceil_mode`)."),
            ]
            if kind == .avgpool { args.append(arg("count-include-pad", .bool, true, "Average over padding too.")) }
            return args
        case .adaptiveAvgpool:
            return [arg("size", size, required: true, min: 1, "Output size.")]
        case .unpool:
            return [arg("of", .string, required: true, "The `maxpool` layer whose indices are used.")]
        case .fire:
            return [
                arg("squeeze", .int, required: true, min: 1, "Squeeze channels s."),
                arg("expand1", .int, required: true, min: 1, "1×1 expand channels."),
                arg("expand3", .int, required: true, min: 1, "3×3 expand channels."),
                arg("batch-norm", .bool, false, "A batch norm after each conv, before its ReLU."),
            ]
        case .squeezeDecoder:
            return [
                arg("squeeze", .int, required: true, min: 1, "Output channels of the final 1×1 squeeze."),
                arg("expand1", .int, required: true, min: 1, "1×1 expand channels."),
                arg("expand3", .int, required: true, min: 1, "3×3 expand channels."),
                arg("batch-norm", .bool, false, "A batch norm after each conv, before its ReLU."),
            ]
        case .residual:
            return [
                arg("planes", .int, required: true, min: 1, "Block width (output is `planes`, or `4·planes` for bottleneck)."),
                arg("block", .enumeration(["basic", "bottleneck"]), "basic", "Basic (two 3×3) or bottleneck (1×1, 3×3, 1×1)."),
                arg("stride", .int, 1, min: 1, "Stride of the block."),
                arg("downsample", .enumeration(["auto", "true", "false"]), "auto", "Projection shortcut (auto: when shapes differ)."),
            ]
        case .linear:
            return [arg("out", .int, required: true, min: 1, "Output features."), arg("bias", .bool, true, "Learn a bias.")]
        case .dropout:
            return [arg("p", .double, 0.5, min: 0, "Drop probability.")]
        case .concat, .add:
            return [arg("with", .list(.string), required: true, "Earlier layers whose outputs are combined with the current tensor.")]
        case .relu, .tanh, .sigmoid, .globalAvgpool, .flatten:
            return []
        }
    }
}
