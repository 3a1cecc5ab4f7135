/// A named tensor of a layer, as it appears in a torchvision `state_dict` / safetensors file.
public struct TensorSpec: Codable, Hashable, Sendable {
    /// Full name, e.g. `features.0.weight` or `layer4.1.bn2.running_var`.
    public var name: String
    public var shape: [Int]
    /// False for buffers (batch-norm running statistics), which are saved but not trained.
    public var trainable: Bool

    public init(name: String, shape: [Int], trainable: Bool = true) {
        self.name = name
        self.shape = shape
        self.trainable = trainable
    }

    /// The number of elements, saturating at `Int.max` instead of trapping.
    public var elementCount: Int {
        shape.reduce(1) { total, n in
            let (product, overflow) = total.multipliedReportingOverflow(by: n)
            return overflow ? Int.max : product
        }
    }
}
