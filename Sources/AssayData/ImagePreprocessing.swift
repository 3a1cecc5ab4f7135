import Foundation

/// A height × width pair.
public struct ImageSize: Hashable, Codable, Sendable {
    public var height: Int
    public var width: Int
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }
}

/// How a loader turns a decoded image file into a data set sample: colour
/// conversion at decode time, then resize and centre crop in either order
/// (torchvision's `Resize` + `CenterCrop` for Waterbirds, `CenterCrop` +
/// `Resize` for CelebA in the DFR recipes).
public struct ImagePreprocessing: Hashable, Codable, Sendable {
    public enum Resize: Hashable, Codable, Sendable {
        /// Exactly `height` × `width` (aspect ratio not kept).
        case exact(height: Int, width: Int)
        /// The shorter side becomes `size`, the aspect ratio is kept.
        case shorterSide(Int)
    }

    public enum Order: String, Hashable, Codable, Sendable {
        case resizeThenCrop, cropThenResize
    }

    /// 1 = grey, 3 = RGB.
    public var channels: Int
    public var resize: Resize?
    public var centerCrop: ImageSize?
    public var order: Order

    public init(channels: Int = 3, resize: Resize? = nil, centerCrop: ImageSize? = nil, order: Order = .resizeThenCrop) {
        precondition(channels == 1 || channels == 3)
        self.channels = channels
        self.resize = resize
        self.centerCrop = centerCrop
        self.order = order
    }

    /// A decoded image and what the steps make of it, before any output byte is written: the window of
    /// `decoded` that is resized, the size it is resized to, and the window of that which is kept.
    public struct Prepared: Sendable {
        public var decoded: RasterImage
        var source: Resampling.Window
        var size: ImageSize
        var output: Resampling.Window

        /// The sample the steps produce.
        public var shape: SampleShape { SampleShape(channels: decoded.channels, height: output.height, width: output.width) }

        /// Writes the sample at `destination` as planes (C × H × W, `shape.count` bytes), resize and crop in one pass.
        public func writePlanar(into destination: UnsafeMutablePointer<UInt8>) {
            decoded.pixels.withUnsafeBufferPointer { src in
                Resampling.bilinearPlanar(src.baseAddress!, width: decoded.width, height: decoded.height, channels: decoded.channels,
                                          window: source, size: size, output: output, into: destination)
            }
        }

        /// The sample as an interleaved image.
        public var raster: RasterImage {
            let count = shape.count
            let planes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 { writePlanar(into: buffer.baseAddress!) }
                initialized = count
            }
            return RasterImage(planar: planes, shape: shape)
        }
    }

    /// Reads `url` (PNG or JPEG, recognised by content) and applies the steps.
    public func load(_ url: URL) throws -> RasterImage {
        try prepare(url).raster
    }

    /// Reads `url` (PNG or JPEG, recognised by content) and works out the steps; `writePlanar` applies them.
    ///
    /// A JPEG resized (before any crop) to at most half its size is decoded at 1/2, 1/4 or 1/8
    /// scale by libjpeg, the smallest that stays at least the target size, then resized to the
    /// target the full size gives: most of the decoding work is skipped, and the DCT's averaging
    /// replaces the pixels a ≥ 2× bilinear step would skip. (libjpeg-turbo's other scales, 3/8 to 7/8, are
    /// plain C and cost more than the SIMD full-size decode they would replace.)
    public func prepare(_ url: URL) throws -> Prepared {
        let data = try PNGCodec.readFile(url, role: "image")
        if data.starts(with: [0xFF, 0xD8]), order == .resizeThenCrop || centerCrop == nil, let full = JPEGCodec.size(of: data),
           let target = resizedSize(height: full.height, width: full.width),
           let d = [8, 4, 2].first(where: { (full.width + $0 - 1) / $0 >= target.width && (full.height + $0 - 1) / $0 >= target.height }) {
            let scaled = try JPEGCodec.decode(data, channels: channels, path: url.path, scaleDenominator: d)
            return try cropped(Prepared(decoded: scaled, source: Self.whole(scaled), size: target, output: Self.whole(target)))
        }
        return try prepare(try ImageFile.decode(data, channels: channels, path: url.path))
    }

    /// Applies resize and centre crop in `order`.
    public func apply(_ image: RasterImage) throws -> RasterImage {
        try prepare(image).raster
    }

    /// The steps in `order` for a decoded `image`.
    public func prepare(_ image: RasterImage) throws -> Prepared {
        let whole = ImageSize(height: image.height, width: image.width)
        switch order {
        case .resizeThenCrop:
            let target = resizedSize(height: image.height, width: image.width) ?? whole
            return try cropped(Prepared(decoded: image, source: Self.whole(image), size: target, output: Self.whole(target)))
        case .cropThenResize:
            let window = try centred(centerCrop, in: whole) ?? Self.whole(image)
            let target = resizedSize(height: window.height, width: window.width) ?? ImageSize(height: window.height, width: window.width)
            return Prepared(decoded: image, source: window, size: target, output: Self.whole(target))
        }
    }

    private static func whole(_ image: RasterImage) -> Resampling.Window { Resampling.Window(height: image.height, width: image.width) }
    private static func whole(_ size: ImageSize) -> Resampling.Window { Resampling.Window(height: size.height, width: size.width) }

    /// The size `resize` makes of an image of `height` × `width`, nil without a resize.
    private func resizedSize(height: Int, width: Int) -> ImageSize? {
        switch resize {
        case let .exact(h, w)?:
            return ImageSize(height: h, width: w)
        case let .shorterSide(s)?:
            let scale = Double(s) / Double(min(width, height))
            return ImageSize(height: max(1, Int((Double(height) * scale).rounded())), width: max(1, Int((Double(width) * scale).rounded())))
        case nil:
            return nil
        }
    }

    /// `prepared` with its output cut to the centre crop of the resized image.
    private func cropped(_ prepared: Prepared) throws -> Prepared {
        var result = prepared
        if let window = try centred(centerCrop, in: prepared.size) { result.output = window }
        return result
    }

    /// The centred `crop` window of an image of `size` (nil without a crop); a crop larger than the image is an error.
    private func centred(_ crop: ImageSize?, in size: ImageSize) throws -> Resampling.Window? {
        guard let crop else { return nil }
        guard crop.height <= size.height, crop.width <= size.width else {
            throw DataError.invalidParameter(name: "crop", value: "\(crop.height)×\(crop.width)",
                                             expected: "at most the image size \(size.height)×\(size.width) at that step")
        }
        return Resampling.Window(top: (size.height - crop.height) / 2, left: (size.width - crop.width) / 2, height: crop.height, width: crop.width)
    }

    /// The sample shape this preprocessing produces, if it is fixed.
    public var outputShape: SampleShape? {
        switch (order, resize, centerCrop) {
        case let (.resizeThenCrop, _, crop?):
            return SampleShape(channels: channels, height: crop.height, width: crop.width)
        case let (_, .exact(h, w)?, _):
            return SampleShape(channels: channels, height: h, width: w)
        case let (.cropThenResize, nil, crop?):
            return SampleShape(channels: channels, height: crop.height, width: crop.width)
        default:
            return nil
        }
    }
}

/// Reading an image file whose format is recognised by its first bytes.
public enum ImageFile {
    public static func read(_ url: URL, channels: Int) throws -> RasterImage {
        try decode(try PNGCodec.readFile(url, role: "image"), channels: channels, path: url.path)
    }

    /// Decodes the bytes of an image file; `path` names it in errors.
    public static func decode(_ data: Data, channels: Int, path: String) throws -> RasterImage {
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            return try PNGCodec.decode(data, channels: channels, path: path)
        }
        if data.starts(with: [0xFF, 0xD8]) {
            return try JPEGCodec.decode(data, channels: channels, path: path)
        }
        let head = data.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw DataError.imageDecoding(path: path, reason: "expected a PNG or JPEG file, found bytes \(head)")
    }
}
