import AssaySupport

/// The built-in architectures and their expansion into layer lists.
///
/// Classification built-ins follow torchvision's module layout exactly
/// (`features.N`, `classifier.N`, `layerL.B.convK`, `downsample.0`), so their
/// tensors are named as in a torchvision `state_dict`. `width` multiplies every
/// hidden channel count (rounded, at least 1); at width 1 the parameter counts
/// equal torchvision's (AlexNet 61,100,840; ResNet-18 11,689,512; ResNet-50
/// 25,557,032; SqueezeNet 1.0 1,248,424 for 1000 classes).
public enum BuiltinArchitecture: String, CaseIterable, Sendable {
    case smallCNN = "small-cnn"
    case alexnet
    case resnet18
    case resnet50
    case squeezenet1_0
    case segnet
    case squeezeSegnet = "squeeze-segnet"

    public var task: ModelTask { self == .segnet || self == .squeezeSegnet ? .segmentation : .classification }

    public var doc: String {
        switch self {
        case .smallCNN: return "conv(32,3×3)–relu–maxpool–conv(64,3×3)–relu–maxpool–flatten–linear(128)–relu–linear(classes)."
        case .alexnet: return "torchvision AlexNet (features, adaptive 6×6 average pool, classifier)."
        case .resnet18: return "torchvision ResNet-18 (basic blocks [2, 2, 2, 2])."
        case .resnet50: return "torchvision ResNet-50 (bottleneck blocks [3, 4, 6, 3], stride on the 3×3 conv)."
        case .squeezenet1_0: return "torchvision SqueezeNet 1.0."
        case .segnet: return "SegNet: VGG-16 encoder with batch norm (`batch-norm`) and argmax-keeping pools, mirrored decoder with max-unpooling."
        case .squeezeSegnet:
            return "Squeeze-SegNet: SqueezeNet 1.0 encoder (conv1 padded by 3 so the final transposed conv restores even input sizes; pools keep indices), a conv10_D of kernel `decoder-kernel`, squeeze-decoder modules mirroring the Fires, unpooling, a stride-2 transposed conv of kernel `head-kernel` (2 in the paper); batch norms after every conv with `batch-norm: true`."
        }
    }

    /// Channel count after the width multiplier.
    static func scaled(_ c: Int, _ width: Double) -> Int { max(1, Int((Double(c) * width).rounded())) }

    /// Whether the architecture puts a batch norm after its convs when `batch-norm:` is not given: the original
    /// SegNet does; the Squeeze-SegNet paper lists none (batch norms there are an assumption, an option).
    var batchNormByDefault: Bool { self == .segnet }

    /// The layer list. `classes` is the number of outputs; `decoderKernel` is Squeeze-SegNet's first decoder conv
    /// kernel, `headKernel` its final transposed conv's; `batchNorm` (nil: ``batchNormByDefault``) puts a batch
    /// norm after every conv of SegNet and Squeeze-SegNet but their classifiers.
    func layers(width: Double, classes: Int, decoderKernel: Int = 1, batchNorm: Bool? = nil, headKernel: Int = 2,
                span: SourceSpan, dataPath: String) -> [LayerDecl] {
        let bn = batchNorm ?? batchNormByDefault
        var out: [LayerDecl] = []
        func w(_ c: Int) -> Int { Self.scaled(c, width) }
        func add(_ path: String, _ kind: LayerKind, _ args: [String: CanonicalValue] = [:]) {
            out.append(LayerDecl(kind: kind, name: path, path: path, args: args, span: span, dataPath: dataPath))
        }
        func conv(_ path: String, _ o: Int, _ k: Int, stride: Int = 1, pad: Int = 0, bias: Bool = true) {
            add(path, .conv, ["out": .int(o), "kernel": .int(k), "stride": .int(stride), "pad": .int(pad), "bias": .bool(bias)])
        }
        func pool(_ path: String, _ k: Int, _ s: Int, pad: Int = 0, ceil: Bool = false) {
            add(path, .maxpool, ["kernel": .int(k), "stride": .int(s), "pad": .int(pad), "ceil": .bool(ceil)])
        }
        switch self {
        case .smallCNN:
            conv("conv1", w(32), 3, pad: 1); add("relu1", .relu); pool("pool1", 2, 2)
            conv("conv2", w(64), 3, pad: 1); add("relu2", .relu); pool("pool2", 2, 2)
            add("flatten", .flatten); add("fc1", .linear, ["out": .int(w(128))]); add("relu3", .relu)
            add("fc2", .linear, ["out": .int(classes)])
        case .alexnet:
            conv("features.0", w(64), 11, stride: 4, pad: 2); add("features.1", .relu); pool("features.2", 3, 2)
            conv("features.3", w(192), 5, pad: 2); add("features.4", .relu); pool("features.5", 3, 2)
            conv("features.6", w(384), 3, pad: 1); add("features.7", .relu)
            conv("features.8", w(256), 3, pad: 1); add("features.9", .relu)
            conv("features.10", w(256), 3, pad: 1); add("features.11", .relu); pool("features.12", 3, 2)
            add("avgpool", .adaptiveAvgpool, ["size": .int(6)]); add("flatten", .flatten)
            add("classifier.0", .dropout, ["p": 0.5]); add("classifier.1", .linear, ["out": .int(w(4096))]); add("classifier.2", .relu)
            add("classifier.3", .dropout, ["p": 0.5]); add("classifier.4", .linear, ["out": .int(w(4096))]); add("classifier.5", .relu)
            add("classifier.6", .linear, ["out": .int(classes)])
        case .resnet18, .resnet50:
            let bottleneck = self == .resnet50
            let blocks = bottleneck ? [3, 4, 6, 3] : [2, 2, 2, 2]
            conv("conv1", w(64), 7, stride: 2, pad: 3, bias: false); add("bn1", .batchnorm); add("relu", .relu)
            pool("maxpool", 3, 2, pad: 1)
            for (stage, count) in blocks.enumerated() {
                let planes = w(64 << stage)
                for b in 0..<count {
                    add("layer\(stage + 1).\(b)", .residual, [
                        "planes": .int(planes), "block": .string(bottleneck ? "bottleneck" : "basic"),
                        "stride": .int(b == 0 && stage > 0 ? 2 : 1), "downsample": "auto",
                    ])
                }
            }
            add("avgpool", .adaptiveAvgpool, ["size": .int(1)]); add("flatten", .flatten)
            add("fc", .linear, ["out": .int(classes)])
        case .squeezenet1_0:
            conv("features.0", w(96), 7, stride: 2); add("features.1", .relu); pool("features.2", 3, 2, ceil: true)
            let fires: [(Int, Int, Int)] = [(16, 64, 64), (16, 64, 64), (32, 128, 128), (32, 128, 128), (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256)]
            let positions = [3, 4, 5, 7, 8, 9, 10, 12]
            for (i, f) in fires.enumerated() {
                if positions[i] == 7 { pool("features.6", 3, 2, ceil: true) }
                if positions[i] == 12 { pool("features.11", 3, 2, ceil: true) }
                add("features.\(positions[i])", .fire, ["squeeze": .int(w(f.0)), "expand1": .int(w(f.1)), "expand3": .int(w(f.2))])
            }
            add("classifier.0", .dropout, ["p": 0.5]); conv("classifier.1", classes, 1); add("classifier.2", .relu)
            add("classifier.3", .adaptiveAvgpool, ["size": .int(1)]); add("flatten", .flatten)
        case .segnet:
            let encoder: [[Int]] = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
            for (b, widths) in encoder.enumerated() {
                for (i, c) in widths.enumerated() {
                    let id = "\(b + 1)_\(i + 1)"
                    conv("conv\(id)", w(c), 3, pad: 1); if bn { add("bn\(id)", .batchnorm) }; add("relu\(id)", .relu)
                }
                pool("pool\(b + 1)", 2, 2)
            }
            // Each decoder block mirrors its encoder block's convs (`conv5_3_D` … `conv5_1_D`); block 1's
            // last conv, `conv1_1_D`, is the classifier below, so only `conv1_2_D` is listed here.
            let decoder: [[Int]] = [[512, 512, 512], [512, 512, 256], [256, 256, 128], [128, 64], [64]]
            for (d, widths) in decoder.enumerated() {
                let block = 5 - d
                add("unpool\(block)", .unpool, ["of": .string("pool\(block)")])
                for (i, c) in widths.enumerated() {
                    let id = "\(block)_\(encoder[block - 1].count - i)_D"
                    conv("conv\(id)", w(c), 3, pad: 1); if bn { add("bn\(id)", .batchnorm) }; add("relu\(id)", .relu)
                }
            }
            conv("conv1_1_D", classes, 3, pad: 1)
        case .squeezeSegnet:
            // With `batch-norm`, a batch norm between each plain conv and its ReLU, and inside every (de)fire module.
            func unit(_ name: String, _ o: Int, _ k: Int, stride: Int = 1, pad: Int = 0, relu: String) {
                conv(name, o, k, stride: stride, pad: pad); if bn { add(name + "_bn", .batchnorm) }; add(relu, .relu)
            }
            unit("conv1", w(96), 7, stride: 2, pad: 3, relu: "relu1"); pool("pool1", 3, 2, ceil: true)
            let fires: [(String, Int, Int, Int)] = [
                ("fire2", 16, 64, 64), ("fire3", 16, 64, 64), ("fire4", 32, 128, 128), ("pool2", 0, 0, 0),
                ("fire5", 32, 128, 128), ("fire6", 48, 192, 192), ("fire7", 48, 192, 192), ("fire8", 64, 256, 256), ("pool3", 0, 0, 0),
                ("fire9", 64, 256, 256),
            ]
            var inputs: [String: Int] = [:]
            var channels = w(96)
            for f in fires {
                if f.0.hasPrefix("pool") { pool(f.0, 3, 2, ceil: true); continue }
                inputs[f.0] = channels
                add(f.0, .fire, ["squeeze": .int(w(f.1)), "expand1": .int(w(f.2)), "expand3": .int(w(f.3)), "batch-norm": .bool(bn)])
                channels = w(f.2) + w(f.3)
            }
            add("dropout", .dropout, ["p": 0.5])
            unit("conv10", channels, 1, relu: "relu10")
            unit("conv10_D", channels, decoderKernel, pad: decoderKernel / 2, relu: "relu10_D")
            // The decoder mirrors the encoder: each squeeze-decoder expands to the matching Fire's squeeze width
            // and squeezes back to the channels that Fire received.
            for f in fires.reversed() {
                if f.0.hasPrefix("pool") { add("un" + f.0, .unpool, ["of": .string(f.0)]); continue }
                add(f.0 + "_D", .squeezeDecoder, ["expand1": .int(w(f.1)), "expand3": .int(w(f.1)), "squeeze": .int(inputs[f.0]!), "batch-norm": .bool(bn)])
            }
            add("unpool1", .unpool, ["of": "pool1"])
            // Exactly twice the size for any kernel k: (H − 1)·2 − 2·pad + k + output-pad = 2H.
            add("conv1_D", .convTranspose, ["out": .int(classes), "kernel": .int(headKernel), "stride": 2, "pad": .int((headKernel - 1) / 2),
                                            "output-pad": .int(headKernel % 2), "bias": true])
        }
        return out
    }

    /// ImageNet statistics torchvision's pretrained weights expect.
    static let imagenetMean = [0.485, 0.456, 0.406]
    static let imagenetStd = [0.229, 0.224, 0.225]
}
