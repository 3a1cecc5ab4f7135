/// One decoded 8-bit image, rows top to bottom, channels interleaved (H × W × C),
/// as image files and C codecs lay it out. `ImageDataset` stores planes (C × H × W);
/// `planar` and `init(planar:)` convert.
public struct RasterImage: Hashable, Sendable {
    public var width: Int
    public var height: Int
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    /// H·W·C bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        precondition(pixels.count == width * height * channels, "pixel count must be width × height × channels")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A blank image filled with `value` in every channel.
    public init(width: Int, height: Int, channels: Int, fill value: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels, pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// Converts planes (C × H × W) to interleaved rows.
    public init<C: Collection>(planar: C, shape: SampleShape) where C.Element == UInt8 {
        let source = Array(planar)
        let plane = shape.planeCount, c = shape.channels
        var pixels = [UInt8](repeating: 0, count: source.count)
        for ch in 0 ..< c {
            for p in 0 ..< plane { pixels[p * c + ch] = source[ch * plane + p] }
        }
        self.init(width: shape.width, height: shape.height, channels: c, pixels: pixels)
    }

    /// The pixels as planes (C × H × W).
    public var planar: [UInt8] {
        let plane = width * height
        var result = [UInt8](repeating: 0, count: pixels.count)
        for ch in 0 ..< channels {
            for p in 0 ..< plane { result[ch * plane + p] = pixels[p * channels + ch] }
        }
        return result
    }

    public var shape: SampleShape { SampleShape(channels: channels, height: height, width: width) }
}
