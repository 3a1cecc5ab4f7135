import AssayData
import AssaySupport

/// `augment` of `train` and `segmentation-train`: none, random horizontal flips, or random crops
/// (zero padding of H/8 pixels, then a crop back to H×W) followed by flips. Masks, when given,
/// move with their images; mask pixels of the padding get `padding`, a label the loss ignores.
/// Drawn from a seeded stream per epoch, so a rerun (or a resumed run) sees the same augmented batches.
enum TrainingAugmentation: String, Decodable {
    case none
    case flip
    case cropFlip = "crop-flip"

    func apply(to images: inout [Float], count: Int, shape: SampleShape, random: inout SeededRandom) {
        var masks: [Int32]? = nil
        apply(to: &images, masks: &masks, padding: 0, count: count, shape: shape, random: &random)
    }

    /// - Parameter masks: `count` per-pixel label planes (H·W each), or nil.
    func apply(to images: inout [Float], masks: inout [Int32]?, padding: Int32, count: Int, shape: SampleShape, random: inout SeededRandom) {
        guard self != .none else { return }
        let (c, h, w) = (shape.channels, shape.height, shape.width)
        let pad = max(1, h / 8)
        var scratch = [Float](repeating: 0, count: c * h * w)
        var maskScratch = [Int32](repeating: 0, count: h * w)
        for k in 0..<count {
            let base = k * c * h * w
            if self == .cropFlip {
                let dy = Int(random.next() % UInt64(2 * pad + 1)) - pad, dx = Int(random.next() % UInt64(2 * pad + 1)) - pad
                for ch in 0..<c {
                    for y in 0..<h {
                        for x in 0..<w {
                            let sy = y + dy, sx = x + dx
                            scratch[(ch * h + y) * w + x] = (0..<h).contains(sy) && (0..<w).contains(sx) ? images[base + (ch * h + sy) * w + sx] : 0
                        }
                    }
                }
                for i in 0..<scratch.count { images[base + i] = scratch[i] }
                if masks != nil {
                    let plane = k * h * w
                    for y in 0..<h {
                        for x in 0..<w {
                            let sy = y + dy, sx = x + dx
                            maskScratch[y * w + x] = (0..<h).contains(sy) && (0..<w).contains(sx) ? masks![plane + sy * w + sx] : padding
                        }
                    }
                    for i in 0..<maskScratch.count { masks![plane + i] = maskScratch[i] }
                }
            }
            if random.next() & 1 == 1 {
                for ch in 0..<c {
                    for y in 0..<h {
                        let row = base + (ch * h + y) * w
                        for x in 0..<(w / 2) { images.swapAt(row + x, row + w - 1 - x) }
                    }
                }
                if masks != nil {
                    for y in 0..<h {
                        let row = k * h * w + y * w
                        for x in 0..<(w / 2) { masks!.swapAt(row + x, row + w - 1 - x) }
                    }
                }
            }
        }
    }
}
