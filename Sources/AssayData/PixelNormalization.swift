/// How uint8 pixels become network inputs: v = (x / 255 − mean_c) / std_c.
///
/// With one mean/std value it applies to every channel.
public struct PixelNormalization: Hashable, Codable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(!mean.isEmpty && mean.count == std.count, "mean and std need the same, non-zero length")
        precondition(std.allSatisfy { $0 > 0 }, "std must be positive")
        self.mean = mean
        self.std = std
    }

    /// x / 255, in [0, 1].
    public static let unitRange = PixelNormalization(mean: [0], std: [1])

    /// The 256 output values of channel `channel`, so conversion is one table lookup per pixel.
    public func table(channel: Int) -> [Float] {
        let m = mean[mean.count == 1 ? 0 : channel], s = std[std.count == 1 ? 0 : channel]
        return (0 ..< 256).map { (Float($0) / 255 - m) / s }
    }

    /// Tables for each of `channels` channels.
    func tables(channels: Int) -> [[Float]] { (0 ..< channels).map { table(channel: $0) } }
}

extension ImageDataset {
    /// Every image converted to Float by `normalization`, N·C·H·W values.
    public func floatPixels(_ normalization: PixelNormalization = .unitRange) -> [Float] {
        let tables = normalization.tables(channels: shape.channels)
        var out = [Float](repeating: 0, count: pixels.count)
        let plane = shape.planeCount, sample = shape.count
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for i in 0 ..< count {
                    for c in 0 ..< shape.channels {
                        tables[c].withUnsafeBufferPointer { t in
                            let o = i * sample + c * plane
                            for p in o ..< o + plane { dst[p] = t[Int(src[p])] }
                        }
                    }
                }
            }
        }
        return out
    }
}
