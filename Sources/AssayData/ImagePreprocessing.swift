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

    /// Reads `url` (PNG or JPEG, recognised by content) and applies the steps.
    ///
    /// A JPEG resized (before any crop) to at most half its size is decoded at 1/2, 1/4 or 1/8
    /// scale by libjpeg, the smallest that stays at least the target size, then resized to the
    /// target the full size gives: most of the decoding work is skipped, and the DCT's averaging
    /// replaces the pixels a ≥ 2× bilinear step would skip.
    public func load(_ url: URL) throws -> RasterImage {
        let data = try PNGCodec.readFile(url, role: "image")
        if data.starts(with: [0xFF, 0xD8]), order == .resizeThenCrop || centerCrop == nil, let full = JPEGCodec.size(of: data),
           let target = resizedSize(height: full.height, width: full.width),
           let d = [8, 4, 2].first(where: { (full.width + $0 - 1) / $0 >= target.width && (full.height + $0 - 1) / $0 >= target.height }) {
            let scaled = try JPEGCodec.decode(data, channels: channels, path: url.path, scaleDenominator: d)
            return try cropped(Resampling.bilinear(scaled, height: target.height, width: target.width))
        }
        return try apply(try ImageFile.decode(data, channels: channels, path: url.path))
    }

    /// Applies resize and centre crop in `order`.
    public func apply(_ image: RasterImage) throws -> RasterImage {
        switch order {
        case .resizeThenCrop: return try cropped(resized(image))
        case .cropThenResize: return resized(try cropped(image))
        }
    }

    private func resized(_ image: RasterImage) -> RasterImage {
        guard let target = resizedSize(height: image.height, width: image.width) else { return image }
        return Resampling.bilinear(image, height: target.height, width: target.width)
    }

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

    private func cropped(_ image: RasterImage) throws -> RasterImage {
        guard let crop = centerCrop else { return image }
        guard crop.height <= image.height, crop.width <= image.width else {
            throw DataError.invalidParameter(name: "crop", value: "\(crop.height)×\(crop.width)",
                                             expected: "at most the image size \(image.height)×\(image.width) at that step")
        }
        return Resampling.crop(image, top: (image.height - crop.height) / 2, left: (image.width - crop.width) / 2,
                               height: crop.height, width: crop.width)
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
