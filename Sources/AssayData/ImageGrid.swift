/// How Float images are mapped to 0…255 for display.
public enum AutoContrast: Hashable, Sendable {
    /// Each tile stretched from its own minimum to its maximum.
    case perImage
    /// All tiles share one minimum and maximum (keeps relative brightness).
    case shared
}

/// Tiles of images laid out in a grid (rows × columns, padding between and around
/// tiles), for natural feature visualisations, top-k exemplars and synthetic
/// visualisations. Write the result with `PNGCodec.write`.
public enum ImageGrid {
    /// Images (planar, `shape` each) in a grid `columns` wide, filled row by row.
    public static func compose(_ images: [ArraySlice<UInt8>], shape: SampleShape, columns: Int,
                               padding: Int = 2, paddingValue: UInt8 = 255) -> RasterImage {
        let columns = max(1, min(columns, max(images.count, 1)))
        let rows = max(1, (images.count + columns - 1) / columns)
        let width = columns * shape.width + (columns + 1) * padding
        let height = rows * shape.height + (rows + 1) * padding
        let c = shape.channels
        var out = RasterImage(width: width, height: height, channels: c, fill: paddingValue)
        for (k, image) in images.enumerated() {
            precondition(image.count == shape.count, "tile \(k) has \(image.count) values, expected \(shape.count)")
            let top = padding + (k / columns) * (shape.height + padding)
            let left = padding + (k % columns) * (shape.width + padding)
            let base = image.startIndex
            for ch in 0 ..< c {
                for y in 0 ..< shape.height {
                    for x in 0 ..< shape.width {
                        out.pixels[((top + y) * width + left + x) * c + ch] = image[base + ch * shape.planeCount + y * shape.width + x]
                    }
                }
            }
        }
        return out
    }

    /// The examples `indices` of `dataset` in a grid.
    public static func compose(_ dataset: ImageDataset, indices: [Int], columns: Int, padding: Int = 2, paddingValue: UInt8 = 255) -> RasterImage {
        compose(indices.map { dataset.image(at: $0) }, shape: dataset.shape, columns: columns, padding: padding, paddingValue: paddingValue)
    }

    /// `count` Float images (planar, `shape` each, concatenated) in a grid, auto-contrasted:
    /// v = round(255 · (x − lo) / (hi − lo)) with lo, hi the minimum and maximum (per image
    /// or shared); a constant image becomes mid-grey 128. Non-finite values count as lo.
    public static func compose(floatImages: [Float], shape: SampleShape, columns: Int, contrast: AutoContrast = .perImage,
                               padding: Int = 2, paddingValue: UInt8 = 255) -> RasterImage {
        let sample = shape.count
        precondition(sample > 0 && floatImages.count % sample == 0, "float images must be whole samples of \(shape)")
        let count = floatImages.count / sample
        func range(_ values: ArraySlice<Float>) -> (Float, Float) {
            var lo = Float.infinity, hi = -Float.infinity
            for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
            return lo <= hi ? (lo, hi) : (0, 0)
        }
        let shared = range(floatImages[...])
        var tiles: [ArraySlice<UInt8>] = []
        for i in 0 ..< count {
            let values = floatImages[i * sample ..< (i + 1) * sample]
            let (lo, hi) = contrast == .shared ? shared : range(values)
            let scale = hi > lo ? 255 / (hi - lo) : 0
            tiles.append(ArraySlice(values.map { v -> UInt8 in
                guard hi > lo else { return 128 }
                guard v.isFinite else { return 0 }
                return UInt8(max(0, min(255, ((v - lo) * scale).rounded())))
            }))
        }
        return compose(tiles, shape: shape, columns: columns, padding: padding, paddingValue: paddingValue)
    }
}
