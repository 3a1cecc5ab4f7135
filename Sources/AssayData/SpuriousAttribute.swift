import AssaySupport
import Foundation

/// A visible feature drawn into images to carry a spurious attribute.
public enum SpuriousFeature: Hashable, Codable, Sendable {
    /// Multiplies the image by colour `colours[a]`: out_c = x_c · colour_c / 255. Always RGB.
    case tint(colours: [[UInt8]]? = nil)
    /// A frame `width` pixels wide in colour `colours[a − 1]` for a ≥ 1; none for a = 0.
    case border(width: Int, colours: [[UInt8]]? = nil)
    /// A `size` × `size` square in colour `colours[a − 1]` for a ≥ 1, in corner (a − 1) mod 4
    /// (top-left, top-right, bottom-left, bottom-right); none for a = 0.
    case cornerPatch(size: Int, colours: [[UInt8]]? = nil)
    /// Background pixels (every channel below `threshold`) become texture pattern a
    /// (0 horizontal stripes, 1 vertical stripes, 2 diagonal stripes, 3 checkerboard)
    /// of brightness `amplitude`, at a random phase per image.
    case backgroundTexture(amplitude: UInt8 = 96, threshold: UInt8 = 16)
}

/// A spurious attribute to inject: its name, its feature and how many values it takes.
///
/// Correlation ρ with the label y: attribute value a is "aligned" when
/// a = y mod m (m = `valueCount`). Within every class exactly round(ρ · n_y)
/// examples (chosen by a seeded shuffle) get the aligned value and the rest
/// cycle through the other values, so the empirical P(a = y mod m) equals ρ up
/// to rounding. ρ = 1/m makes a independent of y when the classes are balanced.
public struct SpuriousAttribute: Hashable, Codable, Sendable {
    public var name: String
    public var feature: SpuriousFeature
    public var valueCount: Int

    public init(name: String, feature: SpuriousFeature, valueCount: Int = 2) {
        self.name = name
        self.feature = feature
        self.valueCount = valueCount
    }

    static let defaultColours: [[UInt8]] = [[255, 80, 80], [80, 140, 255], [80, 220, 80], [240, 200, 60]]

    /// Whether drawing needs RGB output.
    var needsColour: Bool {
        func coloured(_ colours: [[UInt8]]?) -> Bool { colours?.contains { !($0[0] == $0[1] && $0[1] == $0[2]) } ?? false }
        switch feature {
        case .tint: return true
        case let .border(_, colours), let .cornerPatch(_, colours): return coloured(colours)
        case .backgroundTexture: return false
        }
    }
}

extension ImageDataset {
    /// A copy with attribute `spec.name` assigned at correlation `correlation`
    /// (see `SpuriousAttribute`) and drawn into every image. Grey images become RGB
    /// when the feature is coloured. Same inputs and seed ⇒ identical bytes.
    public func injecting(_ spec: SpuriousAttribute, correlation: Double, seed: UInt64) throws -> ImageDataset {
        guard (0 ... 1).contains(correlation) else {
            throw DataError.invalidParameter(name: "correlation", value: "\(correlation)", expected: "a probability in [0, 1]")
        }
        try spec.validate(for: shape)
        let values = assignValues(valueCount: spec.valueCount, correlation: correlation, seed: seed)
        let outChannels = spec.needsColour ? 3 : shape.channels
        let outShape = SampleShape(channels: outChannels, height: shape.height, width: shape.width)
        var out = [UInt8](repeating: 0, count: count * outShape.count)
        let inShape = shape
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                let dstBase = SendablePointer(dst.baseAddress!)
                let srcBase = SendablePointer(UnsafeMutablePointer(mutating: src.baseAddress!))
                let chunks = min(count, 64)
                // Contiguous chunks per worker; each image's randomness has its own stream.
                DataWorkers.forEach(chunks) { chunk in
                    let srcPointer = UnsafePointer(srcBase.pointer)
                    for i in (chunk * count / chunks) ..< ((chunk + 1) * count / chunks) {
                        let image = UnsafeMutableBufferPointer(start: dstBase.pointer + i * outShape.count, count: outShape.count)
                        let input = UnsafeBufferPointer(start: srcPointer + i * inShape.count, count: inShape.count)
                        SpuriousRenderer.copy(input, channels: inShape.channels, into: image, channels: outChannels, plane: inShape.planeCount)
                        var random = SeededRandom(seed: seed, stream: UInt64(i) &+ 1)
                        SpuriousRenderer.draw(spec, value: Int(values[i]), into: image, shape: outShape, random: &random)
                    }
                }
            }
        }
        var result = self
        result.shape = outShape
        result.pixels = DatasetBytes(out)
        result.groupIDs = nil
        return try result.withAttribute(DatasetAttribute(name: spec.name, valueNames: (0 ..< spec.valueCount).map(String.init), values: values))
    }

    /// Exact per-class assignment: round(ρ·n_y) aligned values, the rest cycled.
    func assignValues(valueCount m: Int, correlation: Double, seed: UInt64) -> [Int32] {
        var random = SeededRandom(seed: seed, stream: 0)
        var byClass = [[Int]](repeating: [], count: classNames.count)
        for (i, y) in labels.enumerated() { byClass[Int(y)].append(i) }
        var values = [Int32](repeating: 0, count: count)
        for (y, members) in byClass.enumerated() where !members.isEmpty {
            var order = members
            random.shuffle(&order)
            let aligned = y % m
            let alignedCount = Int((correlation * Double(members.count)).rounded())
            var others = (0 ..< m).filter { $0 != aligned }
            random.shuffle(&others)
            for (k, i) in order.enumerated() {
                values[i] = Int32(k < alignedCount ? aligned : others[(k - alignedCount) % others.count])
            }
        }
        return values
    }
}

extension DatasetSplits {
    /// Injects `spec` into every split at that split's correlation; every split
    /// must have one. Each split draws from its own seeded stream (by position).
    public func injecting(_ spec: SpuriousAttribute, correlations: [String: Double], seed: UInt64) throws -> DatasetSplits {
        if let missing = names.first(where: { correlations[$0] == nil }) {
            throw DataError.invalidParameter(name: "correlation", value: "none given for split `\(missing)`",
                                             expected: "a correlation for each of \(names.map { "`\($0)`" }.joined(separator: ", "))")
        }
        if let extra = correlations.keys.sorted().first(where: { self[$0] == nil }) {
            throw DataError.unknownSplit(name: extra, known: names)
        }
        var result = DatasetSplits()
        for (k, name) in names.enumerated() {
            var random = SeededRandom(seed: seed, stream: UInt64(k) &+ 0x5350_4C49_54)
            result[name] = try self[name]!.injecting(spec, correlation: correlations[name]!, seed: random.next())
        }
        return result
    }
}

extension SpuriousAttribute {
    /// Checks colours always, and sizes against `shape` when it is known.
    func validate(for shape: SampleShape?) throws {
        guard valueCount >= 2 else {
            throw DataError.invalidParameter(name: "values of `\(name)`", value: "\(valueCount)", expected: "at least 2")
        }
        if let shape { try validateGeometry(for: shape) }
        try validateColours()
    }

    private func validateGeometry(for shape: SampleShape) throws {
        switch feature {
        case let .border(width, _):
            guard width >= 1, 2 * width < min(shape.height, shape.width) else {
                throw DataError.invalidParameter(name: "border width", value: "\(width)", expected: "1…\((min(shape.height, shape.width) - 1) / 2) for \(shape.height)×\(shape.width) images")
            }
        case let .cornerPatch(size, _):
            guard size >= 1, size <= min(shape.height, shape.width) else {
                throw DataError.invalidParameter(name: "patch size", value: "\(size)", expected: "1…\(min(shape.height, shape.width))")
            }
        default:
            break
        }
    }

    private func validateColours() throws {
        let colours: [[UInt8]]?
        switch feature {
        case let .tint(c), let .border(_, c), let .cornerPatch(_, c): colours = c
        case .backgroundTexture: colours = nil
        }
        if let colours {
            if colours.isEmpty || colours.contains(where: { $0.count != 3 }) {
                throw DataError.invalidParameter(name: "colours", value: "\(colours)", expected: "a list of [r, g, b] triples")
            }
        }
    }
}
