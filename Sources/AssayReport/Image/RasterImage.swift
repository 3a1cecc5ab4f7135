/// 8-bit pixels for a report: a tensor's values scaled to bytes, optionally
/// with a segmentation mask blended over them, ready to embed as PNG.
///
/// ```swift
/// let fv = try RasterImage(values: synthetic, width: 32, height: 32, channels: 3, layout: .channelsFirst)
/// let overlay = try RasterImage(values: input, width: 64, height: 64, channels: 1, layout: .channelsFirst, scaling: .unitInterval)
///     .overlaying(classMask: predicted, opacity: 0.45)
/// section.add(.figure(.beforeAfter(try fv.embedded(alt: "unit 12"), try overlay.embedded(alt: "prediction"))))
/// ```
public struct RasterImage: Sendable, Equatable {
    public enum Layout: Sendable, Equatable {
        /// `[channel][row][column]`, as tensors store images.
        case channelsFirst
        /// `[row][column][channel]`, interleaved.
        case channelsLast
    }

    public enum Scaling: Sendable, Equatable {
        /// The image's smallest value becomes 0 and its largest 255 (feature visualisations).
        case minMax
        /// Values in 0...1 map to 0...255; others are clamped (inputs, probabilities).
        case unitInterval
    }

    public let width: Int
    public let height: Int
    /// 1 (grey), 3 (RGB) or 4 (RGBA).
    public let channels: Int
    /// Row-major, interleaved.
    public let pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard [1, 3, 4].contains(channels) else { throw PNGEncoder.Failure.unsupportedChannels(channels) }
        guard width > 0, height > 0, pixels.count == width * height * channels else { throw PNGEncoder.Failure.sizeMismatch }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Scales floating-point values to bytes; non-finite values become 0.
    public init<Value: BinaryFloatingPoint>(values: [Value], width: Int, height: Int, channels: Int,
                                            layout: Layout, scaling: Scaling = .minMax) throws {
        guard width > 0, height > 0, values.count == width * height * channels else { throw PNGEncoder.Failure.sizeMismatch }
        let doubles = values.map { Double($0) }
        let finite = doubles.filter(\.isFinite)
        let low: Double, high: Double
        switch scaling {
        case .minMax: (low, high) = (finite.min() ?? 0, finite.max() ?? 1)
        case .unitInterval: (low, high) = (0, 1)
        }
        let span = high > low ? high - low : 1
        var bytes = [UInt8](repeating: 0, count: values.count)
        let plane = width * height
        for index in 0..<values.count {
            // Destination index is always interleaved; the source may be planar.
            let source = layout == .channelsLast ? index : (index % channels) * plane + index / channels
            let value = doubles[source]
            guard value.isFinite else { continue }
            bytes[index] = UInt8((min(max((value - low) / span, 0), 1) * 255).rounded())
        }
        try self.init(width: width, height: height, channels: channels, pixels: bytes)
    }

    /// The same image as RGB (grey replicated, alpha dropped).
    public func rgb() -> RasterImage {
        if channels == 3 { return self }
        var out = [UInt8]()
        out.reserveCapacity(width * height * 3)
        for pixel in 0..<width * height {
            let base = pixel * channels
            if channels == 1 {
                out += [pixels[base], pixels[base], pixels[base]]
            } else {
                out += pixels[base..<base + 3]
            }
        }
        return try! RasterImage(width: width, height: height, channels: 3, pixels: out)
    }

    /// Blends one colour per class over the image: a segmentation overlay.
    /// Negative classes (ignore label), classes beyond the palette and classes
    /// whose entry is empty (the default palette's background) are left uncoloured.
    public func overlaying(classMask: [Int], palette: [[UInt8]]? = nil, opacity: Double = 0.45) throws -> RasterImage {
        guard classMask.count == width * height else { throw PNGEncoder.Failure.sizeMismatch }
        let colours = palette ?? RasterImage.classPalette(count: (classMask.max() ?? 0) + 1)
        let alpha = min(max(opacity, 0), 1)
        var out = rgb().pixels
        for (pixel, label) in classMask.enumerated() where label >= 0 && label < colours.count && colours[label].count >= 3 {
            for channel in 0..<3 {
                let blended = (1 - alpha) * Double(out[pixel * 3 + channel]) + alpha * Double(colours[label][channel])
                out[pixel * 3 + channel] = UInt8(blended.rounded())
            }
        }
        return try RasterImage(width: width, height: height, channels: 3, pixels: out)
    }

    /// Distinct, deterministic RGB colours stepping around the hue circle by the
    /// golden angle; class 0 (background) gets an empty entry so it stays uncoloured.
    public static func classPalette(count: Int) -> [[UInt8]] {
        (0..<max(count, 0)).map { index in
            if index == 0 { return [] }
            let hue = (Double(index - 1) * 0.618_033_988_75).truncatingRemainder(dividingBy: 1)
            return hsv(hue: hue, saturation: 0.75, value: 0.95)
        }
    }

    static func hsv(hue: Double, saturation: Double, value: Double) -> [UInt8] {
        let sector = hue * 6
        let whole = Int(sector) % 6
        let fraction = sector - Double(Int(sector))
        let p = value * (1 - saturation), q = value * (1 - saturation * fraction), t = value * (1 - saturation * (1 - fraction))
        let (r, g, b): (Double, Double, Double)
        switch whole {
        case 0: (r, g, b) = (value, t, p)
        case 1: (r, g, b) = (q, value, p)
        case 2: (r, g, b) = (p, value, t)
        case 3: (r, g, b) = (p, q, value)
        case 4: (r, g, b) = (t, p, value)
        default: (r, g, b) = (value, p, q)
        }
        return [r, g, b].map { UInt8(($0 * 255).rounded()) }
    }

    public func png() throws -> [UInt8] {
        try PNGEncoder.encode(width: width, height: height, channels: channels, pixels: pixels)
    }

    public func embedded(alt: String, caption: String? = nil) throws -> EmbeddedImage {
        try EmbeddedImage(png: png(), alt: alt, caption: caption)
    }
}
