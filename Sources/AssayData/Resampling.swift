/// Resizing and cropping of 8-bit images.
public enum Resampling {
    /// A rectangle of pixels: rows `top ..< top + height`, columns `left ..< left + width`.
    public struct Window: Hashable, Sendable {
        public var top: Int, left: Int, height: Int, width: Int
        public init(top: Int = 0, left: Int = 0, height: Int, width: Int) {
            self.top = top
            self.left = left
            self.height = height
            self.width = width
        }
    }

    /// Bilinear resize with half-pixel centres (OpenCV's and PyTorch's
    /// `align_corners=False`): source x = (x + 0.5)·W_in/W_out − 0.5, clamped.
    /// No antialiasing: downscaling by more than 2× skips pixels. Fixed point (see
    /// `bilinearPlanar`): every byte is within ±1 of the exactly computed, rounded value.
    public static func bilinear(_ image: RasterImage, height: Int, width: Int) -> RasterImage {
        if image.height == height && image.width == width { return image }
        let size = ImageSize(height: height, width: width)
        let planes = [UInt8](unsafeUninitializedCapacity: height * width * image.channels) { buffer, initialized in
            image.pixels.withUnsafeBufferPointer { src in
                bilinearPlanar(src.baseAddress!, width: image.width, height: image.height, channels: image.channels,
                               window: Window(height: image.height, width: image.width), size: size,
                               output: Window(height: height, width: width), into: buffer.baseAddress!)
            }
            initialized = height * width * image.channels
        }
        return RasterImage(planar: planes, shape: SampleShape(channels: image.channels, height: height, width: width))
    }

    /// Weights are integers out of 2^12; the vertical pass keeps its sums (≤ 255·2^12), the
    /// horizontal pass multiplies again and rounds once: ≤ 255·2^24 + 2^23 fits a UInt32.
    static let weightBits = 12
    static let weightOne = UInt32(1) << UInt32(weightBits)

    /// For each output position along one axis: the two source positions it blends and the second's weight
    /// (of `weightOne`). The `window` of the source (start, length) is resized to `target` positions, of which
    /// `output` (start, length) are wanted.
    struct Taps {
        var first: [Int]
        var second: [Int]
        var weight: [UInt32]

        init(window: (start: Int, length: Int), target: Int, output: (start: Int, length: Int)) {
            let scale = Double(window.length) / Double(target), last = Double(window.length - 1)
            first = []
            second = []
            weight = []
            first.reserveCapacity(output.length)
            second.reserveCapacity(output.length)
            weight.reserveCapacity(output.length)
            for x in output.start ..< output.start + output.length {
                let s = min(max((Double(x) + 0.5) * scale - 0.5, 0), last)
                let x0 = Int(s)
                first.append(window.start + x0)
                second.append(window.start + min(x0 + 1, window.length - 1))
                weight.append(UInt32(((s - Double(x0)) * Double(weightOne)).rounded()))
            }
        }
    }

    /// The hot loop of every image load, from decoded rows to the data set's layout in one pass: the `window`
    /// of `source` (interleaved rows, `width` × `height` × `channels`) resized bilinearly to `size`, and of that
    /// the `output` window written at `destination` as planes (C × output.height × output.width).
    ///
    /// Per output row, the two source rows are blended over the window's columns (contiguous, in vectors),
    /// then each output pixel blends two of those sums and rounds once. Integer weights: no per-pixel
    /// floating point, and the same bytes on every machine (in either pass order: the sums are exact).
    static func bilinearPlanar(_ source: UnsafePointer<UInt8>, width: Int, height: Int, channels c: Int, window: Window,
                               size: ImageSize, output: Window, into destination: UnsafeMutablePointer<UInt8>) {
        precondition(window.top >= 0 && window.left >= 0 && window.top + window.height <= height && window.left + window.width <= width)
        precondition(output.top >= 0 && output.left >= 0 && output.top + output.height <= size.height && output.left + output.width <= size.width)
        let ow = output.width, plane = output.height * ow
        guard plane > 0 else { return }
        let columns = Taps(window: (0, window.width), target: size.width, output: (output.left, ow))
        let rows = Taps(window: (window.top, window.height), target: size.height, output: (output.top, output.height))
        // Column taps as offsets within the window's row of sums.
        let left = columns.first.map { $0 * c }, right = columns.second.map { $0 * c }
        let span = window.width * c, one = weightOne
        let half = UInt32(1) << UInt32(2 * weightBits - 1), shift = UInt32(2 * weightBits)
        let sums = UnsafeMutablePointer<UInt32>.allocate(capacity: span)
        defer { sums.deallocate() }
        left.withUnsafeBufferPointer { left in
            right.withUnsafeBufferPointer { right in
                columns.weight.withUnsafeBufferPointer { weights in
                    for oy in 0 ..< output.height {
                        let upper = source + (rows.first[oy] * width + window.left) * c
                        let lower = source + (rows.second[oy] * width + window.left) * c
                        // Eight bytes at a time in explicit vectors, the weights known to fit 16 bits so that the products
                        // take 16-bit vector multiplies (SSE2 has no 32-bit one): half the instructions of a plain loop.
                        let wy = UInt32(UInt16(rows.weight[oy])), vy = one - wy
                        let upperWeight = SIMD8<UInt32>(repeating: UInt32(UInt16(vy))), lowerWeight = SIMD8<UInt32>(repeating: wy)
                        var i = 0
                        while i + 8 <= span {
                            let a = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(upper + i).loadUnaligned(as: SIMD8<UInt8>.self))
                            let b = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(lower + i).loadUnaligned(as: SIMD8<UInt8>.self))
                            UnsafeMutableRawPointer(sums + i).storeBytes(of: a &* upperWeight &+ b &* lowerWeight, as: SIMD8<UInt32>.self)
                            i += 8
                        }
                        while i < span {
                            sums[i] = UInt32(upper[i]) &* vy &+ UInt32(lower[i]) &* wy
                            i += 1
                        }
                        let out = destination + oy * ow
                        if c == 3 {
                            let green = out + plane, blue = out + 2 * plane
                            for x in 0 ..< ow {
                                let a = sums + left[x], b = sums + right[x], w = weights[x], v = one - w
                                out[x] = UInt8(truncatingIfNeeded: (a[0] &* v &+ b[0] &* w &+ half) >> shift)
                                green[x] = UInt8(truncatingIfNeeded: (a[1] &* v &+ b[1] &* w &+ half) >> shift)
                                blue[x] = UInt8(truncatingIfNeeded: (a[2] &* v &+ b[2] &* w &+ half) >> shift)
                            }
                        } else {
                            for x in 0 ..< ow {
                                let w = weights[x], v = one - w
                                for ch in 0 ..< c {
                                    out[ch * plane + x] = UInt8(truncatingIfNeeded: (sums[left[x] + ch] &* v &+ sums[right[x] + ch] &* w &+ half) >> shift)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Nearest-neighbour resize (for label images, where averaging classes is meaningless).
    public static func nearest(_ image: RasterImage, height: Int, width: Int) -> RasterImage {
        if image.height == height && image.width == width { return image }
        let c = image.channels
        var out = [UInt8](repeating: 0, count: height * width * c)
        for y in 0 ..< height {
            let sy = min(image.height - 1, Int((Double(y) + 0.5) * Double(image.height) / Double(height)))
            for x in 0 ..< width {
                let sx = min(image.width - 1, Int((Double(x) + 0.5) * Double(image.width) / Double(width)))
                for ch in 0 ..< c { out[(y * width + x) * c + ch] = image.pixels[(sy * image.width + sx) * c + ch] }
            }
        }
        return RasterImage(width: width, height: height, channels: c, pixels: out)
    }

    /// The `height` × `width` window whose top-left corner is at (`top`, `left`).
    public static func crop(_ image: RasterImage, top: Int, left: Int, height: Int, width: Int) -> RasterImage {
        let c = image.channels
        var out = [UInt8]()
        out.reserveCapacity(height * width * c)
        for y in top ..< top + height {
            let start = (y * image.width + left) * c
            out += image.pixels[start ..< start + width * c]
        }
        return RasterImage(width: width, height: height, channels: c, pixels: out)
    }
}
