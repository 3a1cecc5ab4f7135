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
/// conversion, resize, then centre crop (the order of torchvision's
/// `Resize` + `CenterCrop`).
public struct ImagePreprocessing: Hashable, Codable, Sendable {
    public enum Resize: Hashable, Codable, Sendable {
        /// Exactly `height` × `width` (aspect ratio not kept).
        case exact(height: Int, width: Int)
        /// The shorter side becomes `size`, the aspect ratio is kept.
        case shorterSide(Int)
    }

    /// 1 = grey, 3 = RGB.
    public var channels: Int
    public var resize: Resize?
    /// Centre crop to this size after resizing.
    public var centerCrop: ImageSize?

    public init(channels: Int = 3, resize: Resize? = nil, centerCrop: ImageSize? = nil) {
        precondition(channels == 1 || channels == 3)
        self.channels = channels
        self.resize = resize
        self.centerCrop = centerCrop
    }

    /// Reads `url` (PNG or JPEG, recognised by content) and applies the steps.
    public func load(_ url: URL) throws -> RasterImage {
        try apply(try ImageFile.read(url, channels: channels))
    }

    /// Applies resize then centre crop (colour conversion happens at decode time).
    public func apply(_ image: RasterImage) throws -> RasterImage {
        var result = image
        switch resize {
        case let .exact(h, w)?:
            result = Resampling.bilinear(result, height: h, width: w)
        case let .shorterSide(s)?:
            let scale = Double(s) / Double(min(result.width, result.height))
            let h = max(1, Int((Double(result.height) * scale).rounded()))
            let w = max(1, Int((Double(result.width) * scale).rounded()))
            result = Resampling.bilinear(result, height: h, width: w)
        case nil:
            break
        }
        if let crop = centerCrop {
            guard crop.height <= result.height, crop.width <= result.width else {
                throw DataError.invalidParameter(name: "crop", value: "\(crop.height)×\(crop.width)",
                                                 expected: "at most the resized image size \(result.height)×\(result.width)")
            }
            result = Resampling.crop(result, top: (result.height - crop.height) / 2, left: (result.width - crop.width) / 2,
                                     height: crop.height, width: crop.width)
        }
        return result
    }

    /// The sample shape this preprocessing produces, if it is fixed.
    public var outputShape: SampleShape? {
        if let crop = centerCrop { return SampleShape(channels: channels, height: crop.height, width: crop.width) }
        if case let .exact(h, w)? = resize { return SampleShape(channels: channels, height: h, width: w) }
        return nil
    }
}

/// Reading an image file whose format is recognised by its first bytes.
public enum ImageFile {
    public static func read(_ url: URL, channels: Int) throws -> RasterImage {
        let data = try PNGCodec.readFile(url, role: "image")
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            return try PNGCodec.decode(data, channels: channels, path: url.path)
        }
        if data.starts(with: [0xFF, 0xD8]) {
            return try JPEGCodec.decode(data, channels: channels, path: url.path)
        }
        let head = data.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw DataError.imageDecoding(path: url.path, reason: "expected a PNG or JPEG file, found bytes \(head)")
    }
}
