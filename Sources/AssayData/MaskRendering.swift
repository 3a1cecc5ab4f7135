/// Colour pictures of segmentation masks: palette colouring, alpha overlays on the
/// input image, and side-by-side panels (input | prediction | ground truth).
public enum MaskRendering {
    /// A palette of `count` distinct colours: class 0 black, then the bit-interleaved
    /// colour map of PASCAL VOC (bits of k spread over the high bits of r, g, b).
    public static func palette(count: Int) -> [[UInt8]] {
        (0 ..< count).map { k in
            var r = 0, g = 0, b = 0, c = k
            for shift in stride(from: 7, through: 0, by: -1) where c > 0 {
                r |= (c & 1) << shift
                g |= ((c >> 1) & 1) << shift
                b |= ((c >> 2) & 1) << shift
                c >>= 3
            }
            return [UInt8(r), UInt8(g), UInt8(b)]
        }
    }

    /// The colour of void pixels (and of values beyond the palette).
    public static let voidColour: [UInt8] = [255, 255, 255]

    /// An RGB image of `mask` (H·W class indices) in `palette`.
    public static func colourize<C: Collection>(_ mask: C, height: Int, width: Int, palette: [[UInt8]]) -> RasterImage where C.Element == UInt8 {
        var out = RasterImage(width: width, height: height, channels: 3)
        for (p, v) in mask.enumerated() {
            let colour = Int(v) < palette.count ? palette[Int(v)] : voidColour
            out.pixels[3 * p] = colour[0]; out.pixels[3 * p + 1] = colour[1]; out.pixels[3 * p + 2] = colour[2]
        }
        return out
    }

    /// `image` with mask colours blended in: out = (1 − α)·image + α·colour, for every pixel
    /// whose class is not skipped (by default the background class 0 and void stay unblended).
    public static func overlay<C: Collection>(_ mask: C, on image: RasterImage, palette: [[UInt8]], alpha: Float = 0.5,
                                              skipping skipped: Set<UInt8> = [0], voidLabel: UInt8? = nil) -> RasterImage where C.Element == UInt8 {
        let rgb = image.asRGB()
        var out = rgb
        precondition(mask.count == image.width * image.height, "mask size must match the image")
        for (p, v) in mask.enumerated() where !skipped.contains(v) && v != voidLabel && Int(v) < palette.count {
            for c in 0 ..< 3 {
                let blended = (1 - alpha) * Float(rgb.pixels[3 * p + c]) + alpha * Float(palette[Int(v)][c])
                out.pixels[3 * p + c] = UInt8(max(0, min(255, blended.rounded())))
            }
        }
        return out
    }

    /// Images side by side (grey ones converted to RGB when any is RGB), heights aligned at the top.
    public static func sideBySide(_ images: [RasterImage], padding: Int = 2, paddingValue: UInt8 = 255) -> RasterImage {
        let channels = images.contains { $0.channels == 3 } ? 3 : 1
        let tiles = images.map { channels == 3 ? $0.asRGB() : $0 }
        let height = (tiles.map(\.height).max() ?? 0) + 2 * padding
        let width = tiles.reduce(padding) { $0 + $1.width + padding }
        var out = RasterImage(width: width, height: height, channels: channels, fill: paddingValue)
        var left = padding
        for tile in tiles {
            for y in 0 ..< tile.height {
                let src = y * tile.width * channels
                let dst = ((padding + y) * width + left) * channels
                out.pixels.replaceSubrange(dst ..< dst + tile.width * channels, with: tile.pixels[src ..< src + tile.width * channels])
            }
            left += tile.width + padding
        }
        return out
    }

    /// Input | prediction overlay | ground-truth overlay, for one example.
    public static func comparison<C: Collection>(image: RasterImage, prediction: C, groundTruth: C, palette: [[UInt8]],
                                                 alpha: Float = 0.6, voidLabel: UInt8? = nil) -> RasterImage where C.Element == UInt8 {
        sideBySide([
            image,
            overlay(prediction, on: image, palette: palette, alpha: alpha, voidLabel: voidLabel),
            overlay(groundTruth, on: image, palette: palette, alpha: alpha, voidLabel: voidLabel),
        ])
    }
}

extension RasterImage {
    /// The same image with three channels (grey replicated).
    public func asRGB() -> RasterImage {
        guard channels == 1 else { return self }
        var rgb = [UInt8](repeating: 0, count: pixels.count * 3)
        for (p, v) in pixels.enumerated() { rgb[3 * p] = v; rgb[3 * p + 1] = v; rgb[3 * p + 2] = v }
        return RasterImage(width: width, height: height, channels: 3, pixels: rgb)
    }
}
