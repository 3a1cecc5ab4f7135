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

    /// The affine map of channel `channel`: v = x · scale + bias with
    /// scale = 1 / (255 · std_c) and bias = −mean_c / std_c (one multiply-add per pixel, vectorisable).
    public func affine(channel: Int) -> (scale: Float, bias: Float) {
        let m = mean[mean.count == 1 ? 0 : channel], s = std[std.count == 1 ? 0 : channel]
        return (1 / (255 * s), -m / s)
    }

    /// Converts `count` bytes to Float with channel `channel`'s map.
    @inline(__always)
    func convert(_ source: UnsafePointer<UInt8>, to destination: UnsafeMutablePointer<Float>, count: Int, channel: Int) {
        let (scale, bias) = affine(channel: channel)
        for p in 0 ..< count { destination[p] = Float(source[p]) * scale + bias }
    }
}

extension ImageDataset {
    /// Every image converted to Float by `normalization`, N·C·H·W values.
    public func floatPixels(_ normalization: PixelNormalization = .unitRange) -> [Float] {
        var out = [Float](repeating: 0, count: pixels.count)
        let plane = shape.planeCount, sample = shape.count
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for i in 0 ..< count {
                    for c in 0 ..< shape.channels {
                        let o = i * sample + c * plane
                        normalization.convert(src.baseAddress! + o, to: dst.baseAddress! + o, count: plane, channel: c)
                    }
                }
            }
        }
        return out
    }
}

extension ImageDataset {
    /// Per-channel mean and standard deviation of x / 255 over the data set (population
    /// statistics, accumulated in Double), as a normalisation to zero mean and unit variance.
    public func channelStatistics() -> PixelNormalization {
        let plane = shape.planeCount, sample = shape.count
        var mean: [Float] = [], std: [Float] = []
        for c in 0 ..< shape.channels {
            var histogram = [Int](repeating: 0, count: 256)
            pixels.withUnsafeBufferPointer { src in
                for i in 0 ..< count {
                    let base = src.baseAddress! + i * sample + c * plane
                    for p in 0 ..< plane { histogram[Int(base[p])] += 1 }
                }
            }
            let n = Double(max(1, count * plane))
            var sum = 0.0, squares = 0.0
            for (v, k) in histogram.enumerated() {
                let x = Double(v) / 255
                sum += x * Double(k)
                squares += x * x * Double(k)
            }
            let m = sum / n
            mean.append(Float(m))
            std.append(Float(max((squares / n - m * m).squareRoot(), 1e-6)))
        }
        return PixelNormalization(mean: mean, std: std)
    }
}
