import AssayLanguage
import AssayNN
import AssaySupport

/// A runnable network built from a checked ``ModelSpec``.
///
/// Modules sit in the tree at their spec paths (`features.3`, `layer1.0`, `conv1`), so state
/// dicts carry torchvision's names and activations can be recorded by the same paths that
/// experiments use for units. Execution follows the spec: each layer takes the previous
/// layer's output; `unpool` reuses the indices of the pool it names (a ``MaxUnpool2d`` paired
/// with that ``MaxPool2d``); `concat`/`add` combine the current tensor with earlier layers'
/// outputs, looked up by path.
public final class SpecNetwork: Module {
    public let spec: ModelSpec
    private var steps: [(layer: LayerSpec, module: Module)] = []
    /// Paths whose outputs later `concat`/`add` layers read.
    private let kept: Set<String>

    /// Builds the network with freshly initialised parameters (PyTorch's default schemes, or the
    /// reference code's where it differs, see ``ReferenceInitialization``) drawn from `seed`, in
    /// layer order, so the same seed gives the same weights.
    public init(spec: ModelSpec, seed: UInt64) throws {
        self.spec = spec
        kept = Set(spec.layers.filter { $0.kind == .concat || $0.kind == .add }.flatMap { $0.attributes["with"]?.listValue?.compactMap(\.stringValue) ?? [] })
        super.init()
        var rng = SeededRandom(seed: seed)
        var pools: [String: MaxPool2d] = [:]
        for (index, layer) in spec.layers.enumerated() {
            let module = try SpecNetwork.module(for: layer, pools: pools, dropoutSeed: seed &+ UInt64(index), rng: &rng)
            if let pool = module as? MaxPool2d { pools[layer.path] = pool }
            try attach(module, at: layer.path)
            steps.append((layer, module))
        }
        applyReferenceInitialization(seed: seed)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        var h = x
        var outputs: [String: Tensor] = [:]
        // Batch norm then ReLU runs as one op when nothing observes the norm's output.
        let fuse = !ActivationRecorder.isActive
        var fusedReLU = false
        for (index, (layer, module)) in steps.enumerated() {
            if fusedReLU {
                fusedReLU = false
                if kept.contains(layer.path) { outputs[layer.path] = h }
                continue
            }
            if fuse, h.rank == 4, index + 1 < steps.count, steps[index + 1].layer.kind == .relu,
               !kept.contains(layer.path), let norm = module as? BatchNorm2d {
                h = norm.forwardReLU(h)
                fusedReLU = true
                continue
            }
            switch layer.kind {
            case .concat:
                let others = (layer.attributes["with"]?.listValue ?? []).compactMap { $0.stringValue.flatMap { outputs[$0] } }
                h = module(Tensor.concat([h] + others, axis: 1))
            case .add:
                for path in (layer.attributes["with"]?.listValue ?? []).compactMap(\.stringValue) {
                    if let other = outputs[path] { h = h + other }
                }
                h = module(h)
            case .batchnorm where h.rank == 2:
                // A batch norm over features is a 2-D batch norm over 1×1 maps.
                let n = h.shape[0], d = h.shape[1]
                h = module(h.reshaped([n, d, 1, 1])).reshaped([n, d])
            default:
                h = module(h)
            }
            if kept.contains(layer.path) { outputs[layer.path] = h }
        }
        return h
    }

    /// Puts `module` at a dotted path, creating plain container modules for the prefixes.
    private func attach(_ module: Module, at path: String) throws {
        let parts = path.split(separator: ".").map(String.init)
        guard !parts.isEmpty else { throw StageError(stage: spec.name, "a layer of model `\(spec.name)` has an empty path") }
        var parent: Module = self
        for part in parts.dropLast() {
            if let existing = parent.children.first(where: { $0.name == part })?.module {
                parent = existing
            } else {
                let group = ModuleGroup()
                parent.register(part, group)
                parent = group
            }
        }
        guard !parent.children.contains(where: { $0.name == parts.last! }) else {
            throw StageError(stage: spec.name, "two layers of model `\(spec.name)` share the path `\(path)`")
        }
        parent.register(parts.last!, module)
    }

    static func pair(_ layer: LayerSpec, _ key: String, _ fallback: Int) -> Size2 {
        if let p = layer.pair(key), p.count == 2 { return Size2(p[0], p[1]) }
        if let i = layer.int(key) { return Size2(i) }
        return Size2(fallback)
    }

    static func module(for layer: LayerSpec, pools: [String: MaxPool2d], dropoutSeed: UInt64, rng: inout SeededRandom) throws -> Module {
        func unsupported(_ what: String) -> StageError {
            StageError(stage: layer.name, path: layer.path, "\(what) is not supported by the tensor engine", help: "change the layer's declaration")
        }
        switch layer.kind {
        case .conv:
            if (layer.int("groups") ?? 1) != 1 { throw unsupported("a grouped convolution") }
            return Conv2d(
                layer.int("in") ?? layer.inputShape[0], layer.int("out") ?? layer.outputShape[0], kernel: pair(layer, "kernel", 1),
                stride: pair(layer, "stride", 1), padding: pair(layer, "padding", 0), dilation: pair(layer, "dilation", 1),
                bias: layer.attributes["bias"]?.boolValue ?? true, rng: &rng)
        case .convTranspose:
            if (layer.int("groups") ?? 1) != 1 { throw unsupported("a grouped transposed convolution") }
            return ConvTranspose2d(
                layer.int("in") ?? layer.inputShape[0], layer.int("out") ?? layer.outputShape[0], kernel: pair(layer, "kernel", 1),
                stride: pair(layer, "stride", 1), padding: pair(layer, "padding", 0), outputPadding: pair(layer, "output-padding", 0),
                dilation: pair(layer, "dilation", 1), bias: layer.attributes["bias"]?.boolValue ?? true, rng: &rng)
        case .batchnorm:
            return BatchNorm2d(
                layer.int("features") ?? layer.inputShape[0], epsilon: Float(layer.attributes["eps"]?.doubleValue ?? 1e-5),
                momentum: Float(layer.attributes["momentum"]?.doubleValue ?? 0.1))
        case .relu: return ReLU()
        case .leakyRelu: return LeakyReLU(slope: Float(layer.attributes["slope"]?.doubleValue ?? 0.01))
        case .tanh: return Tanh()
        case .sigmoid: return Sigmoid()
        case .maxpool:
            return MaxPool2d(
                kernel: pair(layer, "kernel", 2), stride: pair(layer, "stride", 2), padding: pair(layer, "padding", 0),
                ceilMode: layer.attributes["ceil"]?.boolValue ?? false)
        case .avgpool:
            return AvgPool2d(
                kernel: pair(layer, "kernel", 2), stride: pair(layer, "stride", 2), padding: pair(layer, "padding", 0),
                ceilMode: layer.attributes["ceil"]?.boolValue ?? false,
                countIncludePad: layer.attributes["count-include-pad"]?.boolValue ?? true)
        case .adaptiveAvgpool:
            return AdaptiveAvgPool2d(pair(layer, "size", 1))
        case .globalAvgpool:
            return GlobalAvgPool2d()
        case .unpool:
            guard let of = layer.attributes["of"]?.stringValue, let pool = pools[of] else {
                throw StageError(stage: layer.name, path: layer.path, "unpool names no earlier maxpool", help: "rerun `assay check`")
            }
            return MaxUnpool2d(pairedWith: pool)
        case .fire:
            return Fire(
                layer.int("in") ?? layer.inputShape[0], squeeze: layer.int("squeeze") ?? 1, expand1x1: layer.int("expand1") ?? 1,
                expand3x3: layer.int("expand3") ?? 1, batchNorm: layer.attributes["batch-norm"]?.boolValue ?? false, rng: &rng)
        case .squeezeDecoder:
            return SqueezeDecoder(
                layer.int("in") ?? layer.inputShape[0], expand1x1: layer.int("expand1") ?? 1, expand3x3: layer.int("expand3") ?? 1,
                squeeze: layer.int("squeeze") ?? 1, batchNorm: layer.attributes["batch-norm"]?.boolValue ?? false, rng: &rng)
        case .residual:
            let inChannels = layer.int("in") ?? layer.inputShape[0], planes = layer.int("planes") ?? 1, stride = layer.int("stride") ?? 1
            let bottleneck = layer.attributes["block"]?.stringValue == "bottleneck"
            let natural = stride != 1 || inChannels != (bottleneck ? 4 * planes : planes)
            if (layer.attributes["downsample"]?.boolValue ?? natural) != natural {
                throw unsupported("a residual block whose shortcut projection differs from torchvision's rule")
            }
            return bottleneck ? Bottleneck(inChannels, planes, stride: stride, rng: &rng) : BasicBlock(inChannels, planes, stride: stride, rng: &rng)
        case .linear:
            return Linear(layer.int("in") ?? layer.inputShape[0], layer.int("out") ?? layer.outputShape[0],
                          bias: layer.attributes["bias"]?.boolValue ?? true, rng: &rng)
        case .dropout:
            return Dropout(Float(layer.attributes["p"]?.doubleValue ?? 0.5), seed: dropoutSeed)
        case .flatten:
            return Flatten()
        case .concat, .add:
            return Identity()
        }
    }
}

/// A module that only groups children under a common path prefix (torchvision's `features`).
final class ModuleGroup: Module {
    override init() { super.init() }
}
