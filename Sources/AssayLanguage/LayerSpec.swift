import AssaySupport

/// One resolved layer of a model: what to build, under which name, with which shapes.
///
/// - ``kind`` says what the layer computes (see ``LayerKind`` for each kind's attributes and formula).
/// - ``attributes`` holds every hyper-parameter, resolved (sizes as `[h, w]` pairs, no implicit default).
/// - ``path`` is the module path used for tensor names, torchvision-style (`features.3`, `layer4.1.conv2`);
///   tensors are named `path + "." + tensor` (`features.3.squeeze.weight`).
/// - ``name`` is the name written in the experiment (`conv1`), or the path for built-ins.
/// - ``children`` are the sub-layers of composite kinds (`fire`, `squeeze-decoder`, `residual`), in
///   the order listed in ``LayerKind``; their paths are full paths.
/// - ``inputShape`` / ``outputShape`` exclude the batch axis.
public struct LayerSpec: Codable, Hashable, Sendable {
    public var kind: LayerKind
    public var name: String
    public var path: String
    public var attributes: [String: CanonicalValue]
    public var inputShape: [Int]
    public var outputShape: [Int]
    /// This layer's own tensors (not its children's).
    public var tensors: [TensorSpec]
    public var children: [LayerSpec]

    public init(
        kind: LayerKind, name: String, path: String, attributes: [String: CanonicalValue], inputShape: [Int],
        outputShape: [Int], tensors: [TensorSpec] = [], children: [LayerSpec] = []
    ) {
        self.kind = kind
        self.name = name
        self.path = path
        self.attributes = attributes
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.tensors = tensors
        self.children = children
    }

    /// Trainable parameters of this layer and its children.
    public var parameterCount: Int {
        let counts = tensors.filter(\.trainable).map(\.elementCount) + children.map(\.parameterCount)
        return counts.reduce(0) { total, n in
            let (sum, overflow) = total.addingReportingOverflow(n)
            return overflow ? Int.max : sum
        }
    }

    /// Every tensor of this layer and its children, depth first.
    public var allTensors: [TensorSpec] { tensors + children.flatMap(\.allTensors) }

    public func int(_ key: String) -> Int? { attributes[key]?.intValue }
    public func pair(_ key: String) -> [Int]? { attributes[key]?.intList }

    public var canonical: CanonicalValue {
        .map([
            "kind": .string(kind.rawValue),
            "name": .string(name),
            "path": .string(path),
            "attributes": .map(attributes),
            "input": .list(inputShape.map { .int($0) }),
            "output": .list(outputShape.map { .int($0) }),
            "tensors": .list(tensors.map { .map(["name": .string($0.name), "shape": .list($0.shape.map { .int($0) }), "trainable": .bool($0.trainable)]) }),
            "children": .list(children.map(\.canonical)),
        ])
    }
}
