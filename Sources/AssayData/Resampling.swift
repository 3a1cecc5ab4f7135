/// Resizing and cropping of interleaved 8-bit images.
public enum Resampling {
    /// Bilinear resize with half-pixel centres (OpenCV's and PyTorch's
    /// `align_corners=False`): source x = (x + 0.5)·W_in/W_out − 0.5, clamped.
    /// No antialiasing: downscaling by more than 2× skips pixels.
    public static func bilinear(_ image: RasterImage, height: Int, width: Int) -> RasterImage {
        if image.height == height && image.width == width { return image }
        let c = image.channels
        let sy = Double(image.height) / Double(height), sx = Double(image.width) / Double(width)
        // Precompute horizontal taps once per column.
        var x0 = [Int](repeating: 0, count: width), x1 = x0
        var fx = [Double](repeating: 0, count: width)
        for x in 0 ..< width {
            let s = min(max((Double(x) + 0.5) * sx - 0.5, 0), Double(image.width - 1))
            x0[x] = Int(s)
            x1[x] = min(x0[x] + 1, image.width - 1)
            fx[x] = s - Double(x0[x])
        }
        // Byte offsets of the taps within a row.
        for x in 0 ..< width {
            x0[x] *= c
            x1[x] *= c
        }
        let rowBytes = image.width * c
        // One pass over the output through raw pointers (the hot loop of every image load); the
        // arithmetic is the same Double expression, so the bytes are too.
        let out = [UInt8](unsafeUninitializedCapacity: height * width * c) { buffer, initialized in
            image.pixels.withUnsafeBufferPointer { src in
                let base = src.baseAddress!, dst = buffer.baseAddress!
                for y in 0 ..< height {
                    let s = min(max((Double(y) + 0.5) * sy - 0.5, 0), Double(image.height - 1))
                    let y0 = Int(s), y1 = min(y0 + 1, image.height - 1), fy = s - Double(y0)
                    let upper = base + y0 * rowBytes, lower = base + y1 * rowBytes
                    var o = dst + y * width * c
                    for x in 0 ..< width {
                        let l = x0[x], r = x1[x], f = fx[x]
                        for ch in 0 ..< c {
                            let a = Double(upper[l + ch]), b = Double(upper[r + ch])
                            let d = Double(lower[l + ch]), e = Double(lower[r + ch])
                            let top = a + (b - a) * f, bottom = d + (e - d) * f
                            o.pointee = UInt8(min(255, max(0, (top + (bottom - top) * fy).rounded())))
                            o += 1
                        }
                    }
                }
            }
            initialized = height * width * c
        }
        return RasterImage(width: width, height: height, channels: c, pixels: out)
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
