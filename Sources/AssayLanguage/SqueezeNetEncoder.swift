/// How torchvision's SqueezeNet 1.0 maps onto Squeeze-SegNet's encoder, for `encoder-weights:`.
///
/// The first convolution and the eight Fire modules have the same shapes and child names
/// (`squeeze`, `expand1x1`, `expand3x3`) in both networks; only the module paths differ
/// (`features.0` is `conv1`, `features.3` … `features.12` are `fire2` … `fire9`). Squeeze-SegNet
/// pads its first convolution by 3 so the decoder can restore the input size (torchvision pads
/// by 0); both use ceil-mode pools. SqueezeNet's `classifier.*` is not used.
///
/// ```swift
/// SqueezeNetEncoder.torchvisionName(of: "fire4.squeeze.weight")   // "features.5.squeeze.weight"
/// SqueezeNetEncoder.encoderName(of: "features.5.squeeze.weight")  // "fire4.squeeze.weight"
/// ```
public enum SqueezeNetEncoder {
    /// Squeeze-SegNet's encoder module for each torchvision `features` index that holds tensors.
    public static let modules: [String: String] = [
        "features.0": "conv1", "features.3": "fire2", "features.4": "fire3", "features.5": "fire4", "features.7": "fire5",
        "features.8": "fire6", "features.9": "fire7", "features.10": "fire8", "features.12": "fire9",
    ]

    private static let torchvisionModules = Dictionary(uniqueKeysWithValues: modules.map { ($1, $0) })

    /// The encoder tensor a torchvision tensor name loads into (`features.5.squeeze.weight` →
    /// `fire4.squeeze.weight`), nil for tensors outside the mapped `features` modules.
    public static func encoderName(of torchvisionName: String) -> String? {
        let parts = torchvisionName.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "features", let module = modules["features.\(parts[1])"] else { return nil }
        return "\(module).\(parts[2])"
    }

    /// The torchvision name of an encoder tensor (`conv1.bias` → `features.0.bias`), nil for decoder tensors.
    public static func torchvisionName(of encoderName: String) -> String? {
        let module = String(encoderName.prefix { $0 != "." })
        guard let source = torchvisionModules[module] else { return nil }
        return source + encoderName.dropFirst(module.count)
    }

    /// Whether a tensor name of a torchvision SqueezeNet file is one the encoder reads: every tensor
    /// under `features.` (an unmapped index there is unexpected); `classifier.*` and others are ignored.
    public static func isEncoderSource(_ torchvisionName: String) -> Bool { torchvisionName.hasPrefix("features.") }

    /// The encoder's tensors of a Squeeze-SegNet, named as torchvision names them, in state-dict order:
    /// what an `encoder-weights:` file must hold.
    public static func expectedTensors(of spec: ModelSpec) -> [TensorSpec] {
        spec.allTensors.compactMap { t in torchvisionName(of: t.name).map { TensorSpec(name: $0, shape: t.shape, trainable: t.trainable) } }
    }

    /// Differences between the `features.*` tensors of a SqueezeNet header and the encoder of `spec`,
    /// one line per tensor (missing, unexpected or mis-shaped), named by torchvision's names.
    public static func mismatches(of header: SafetensorsHeader, against spec: ModelSpec) -> [String] {
        var encoderPart = header
        encoderPart.shapes = header.shapes.filter { isEncoderSource($0.key) }
        encoderPart.dtypes = header.dtypes.filter { isEncoderSource($0.key) }
        return encoderPart.mismatches(against: expectedTensors(of: spec))
    }
}
