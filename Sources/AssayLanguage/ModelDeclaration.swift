import AssaySupport

/// A model declaration as written, before it meets data.
struct ModelDeclaration {
    var name: String
    var builtin: BuiltinArchitecture?
    var layers: [LayerDecl]
    var input: [Int]?
    /// `input: 224` on a built-in: a square image size; channels come from the data (3 when unused).
    var inputSize: Int?
    var classes: Int?
    var target: String?
    var width: Double
    var decoderKernel: Int
    /// `batch-norm:` of a segmentation built-in; nil keeps the architecture's default.
    var batchNorm: Bool?
    /// `head-kernel:` of Squeeze-SegNet's final transposed conv.
    var headKernel: Int
    var weights: String?
    /// `squeeze-segnet` only: torchvision SqueezeNet 1.0 weights for the encoder.
    var encoderWeights: String?
    var entry: SectionEntry
    var value: Value
}
