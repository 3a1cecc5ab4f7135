import AssaySupport

/// What a model is for: one label per example, or one label per pixel.
public enum ModelTask: String, Codable, Sendable {
    case classification, segmentation
}

/// A fully resolved model: the sequential list of layers the NN engine builds.
///
/// Execution is sequential: each layer takes the previous layer's output,
/// except that `unpool` also reads the indices of the `maxpool` its `of`
/// names, and `concat`/`add` also read the outputs of the layers in `with`.
/// Composite layers (`fire`, `squeeze-decoder`, `residual`) are wired as
/// documented on ``LayerKind``. Built-in architectures are expanded into this
/// same form with torchvision's module paths, so weight files map one to one
/// onto ``allTensors``.
///
/// Shapes exclude the batch axis; every layer's shapes were inferred from
/// ``inputShape``. ``parameterCount`` counts trainable tensors only
/// (torchvision's `sum(p.numel() for p in model.parameters())`).
public struct ModelSpec: Codable, Hashable, Sendable {
    /// The declaration's name under `models:`.
    public var name: String
    /// `custom` for layer lists, else the built-in's name (`resnet18`, `squeeze-segnet`, ...).
    public var architecture: String
    public var task: ModelTask
    public var inputShape: [Int]
    public var outputShape: [Int]
    /// Number of classes the last layer produces (channels for segmentation).
    public var classes: Int
    /// Width multiplier applied to every hidden channel count (built-ins; 1 for custom models).
    public var width: Double
    /// A safetensors file to initialise from, as written (resolved relative to the experiment file).
    public var weights: String?
    /// `squeeze-segnet` only: a torchvision SqueezeNet 1.0 safetensors file loaded into the encoder
    /// (``SqueezeNetEncoder``), as written (resolved relative to the experiment file).
    public var encoderWeights: String?
    /// Per-channel input normalisation `x' = (x − mean) / std` expected by the weights (torchvision's ImageNet
    /// statistics for built-ins with `weights:` or `encoder-weights:`); empty when none.
    public var normalizeMean: [Double]
    public var normalizeStd: [Double]
    public var layers: [LayerSpec]

    public init(
        name: String, architecture: String, task: ModelTask, inputShape: [Int], outputShape: [Int], classes: Int,
        width: Double = 1, weights: String? = nil, encoderWeights: String? = nil, normalizeMean: [Double] = [], normalizeStd: [Double] = [],
        layers: [LayerSpec]
    ) {
        self.name = name
        self.architecture = architecture
        self.task = task
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.classes = classes
        self.width = width
        self.weights = weights
        self.encoderWeights = encoderWeights
        self.normalizeMean = normalizeMean
        self.normalizeStd = normalizeStd
        self.layers = layers
    }

    public var parameterCount: Int {
        layers.reduce(0) { total, layer in
            let (sum, overflow) = total.addingReportingOverflow(layer.parameterCount)
            return overflow ? Int.max : sum
        }
    }

    /// Every tensor (parameters and buffers) in state-dict order.
    public var allTensors: [TensorSpec] { layers.flatMap(\.allTensors) }

    /// Every layer including children, depth first.
    public var flattenedLayers: [LayerSpec] {
        func walk(_ l: LayerSpec) -> [LayerSpec] { [l] + l.children.flatMap(walk) }
        return layers.flatMap(walk)
    }

    /// The layer a unit reference names: by its experiment name or by its module path.
    public func layer(named name: String) -> LayerSpec? {
        let all = flattenedLayers
        return all.first { $0.name == name } ?? all.first { $0.path == name }
    }

    /// The canonical form used in stage parameters. The declaration's name is left out so that renaming a
    /// model does not change any cache key.
    public var canonical: CanonicalValue {
        var m: [String: CanonicalValue] = [
            "architecture": .string(architecture),
            "task": .string(task.rawValue),
            "input": .list(inputShape.map { .int($0) }),
            "output": .list(outputShape.map { .int($0) }),
            "classes": .int(classes),
            "width": .double(width),
            "normalize": .map(["mean": .list(normalizeMean.map { .double($0) }), "std": .list(normalizeStd.map { .double($0) })]),
            "layers": .list(layers.map(\.canonical)),
        ]
        m["weights"] = weights.map { .string($0) } ?? .null
        // Only when given, so that the keys of every model without it stay as they were.
        if let encoderWeights { m["encoder-weights"] = .string(encoderWeights) }
        return .map(m)
    }
}
