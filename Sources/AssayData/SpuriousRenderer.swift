import AssaySupport

/// Draws spurious features into one planar image in place.
enum SpuriousRenderer {
    /// Copies an image, replicating a grey plane into three when going to RGB.
    static func copy(_ input: UnsafeBufferPointer<UInt8>, channels inC: Int, into output: UnsafeMutableBufferPointer<UInt8>, channels outC: Int, plane: Int) {
        for c in 0 ..< outC {
            let from = inC == 1 ? 0 : c
            (output.baseAddress! + c * plane).update(from: input.baseAddress! + from * plane, count: plane)
        }
    }

    static func draw(_ spec: SpuriousAttribute, value a: Int, into image: UnsafeMutableBufferPointer<UInt8>, shape: SampleShape, random: inout SeededRandom) {
        let h = shape.height, w = shape.width, plane = shape.planeCount, channels = shape.channels
        func colour(_ list: [[UInt8]]?, _ index: Int, default fallback: [UInt8]) -> [UInt8] {
            guard let list, !list.isEmpty else { return fallback }
            return list[index % list.count]
        }
        func fill(top: Int, left: Int, height: Int, width: Int, colour: [UInt8]) {
            for c in 0 ..< channels {
                let v = colour[c]
                for y in top ..< top + height {
                    let row = image.baseAddress! + c * plane + y * w + left
                    row.update(repeating: v, count: width)
                }
            }
        }
        switch spec.feature {
        case let .tint(colours):
            let tint = colour(colours ?? SpuriousAttribute.defaultColours, a, default: [255, 255, 255])
            for c in 0 ..< channels {
                let scale = UInt16(tint[c])
                let base = image.baseAddress! + c * plane
                // (x · t + 127) / 255, rounded.
                for p in 0 ..< plane { base[p] = UInt8((UInt16(base[p]) * scale + 127) / 255) }
            }
        case let .border(width, colours):
            guard a >= 1 else { return }
            let col = colour(colours, a - 1, default: [255, 255, 255])
            fill(top: 0, left: 0, height: width, width: w, colour: col)
            fill(top: h - width, left: 0, height: width, width: w, colour: col)
            fill(top: width, left: 0, height: h - 2 * width, width: width, colour: col)
            fill(top: width, left: w - width, height: h - 2 * width, width: width, colour: col)
        case let .cornerPatch(size, colours):
            guard a >= 1 else { return }
            let col = colour(colours, a - 1, default: [255, 255, 255])
            let corner = (a - 1) % 4
            fill(top: corner >= 2 ? h - size : 0, left: corner % 2 == 1 ? w - size : 0, height: size, width: size, colour: col)
        case let .backgroundTexture(amplitude, threshold):
            let phase = random.nextInt(below: 8)
            for y in 0 ..< h {
                for x in 0 ..< w {
                    let p = y * w + x
                    var isBackground = true
                    for c in 0 ..< channels where image[c * plane + p] >= threshold { isBackground = false }
                    guard isBackground else { continue }
                    let on: Bool
                    switch a % 4 {
                    case 0: on = ((y + phase) / 2) % 2 == 0
                    case 1: on = ((x + phase) / 2) % 2 == 0
                    case 2: on = ((x + y + phase) / 2) % 2 == 0
                    default: on = (((x + phase) / 3) + ((y + phase) / 3)) % 2 == 0
                    }
                    if on { for c in 0 ..< channels { image[c * plane + p] = amplitude } }
                }
            }
        }
    }
}
