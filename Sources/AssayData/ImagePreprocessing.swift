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
    public func load(_ url: URL) throws -> RasterImage {
        try apply(try ImageFile.read(url, channels: channels))
    }

    /// Applies resize and centre crop in `order`.
    public func apply(_ image: RasterImage) throws -> RasterImage {
        switch order {
        case .resizeThenCrop: return try cropped(resized(image))
        case .cropThenResize: return resized(try cropped(image))
        }
    }

    private func resized(_ image: RasterImage) -> RasterImage {
        switch resize {
        case let .exact(h, w)?:
            return Resampling.bilinear(image, height: h, width: w)
        case let .shorterSide(s)?:
            let scale = Double(s) / Double(min(image.width, image.height))
            let h = max(1, Int((Double(image.height) * scale).rounded()))
            let w = max(1, Int((Double(image.width) * scale).rounded()))
            return Resampling.bilinear(image, height: h, width: w)
        case nil:
            return image
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
