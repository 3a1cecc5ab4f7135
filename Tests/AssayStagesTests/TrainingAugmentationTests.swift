import AssayData
import AssaySupport
import XCTest

@testable import AssayStages

final class TrainingAugmentationTests: XCTestCase {
    func testFlipsAreSeededAndOnlyMirrorRows() {
        let shape = SampleShape(channels: 1, height: 2, width: 3)
        let original: [Float] = (0..<(4 * shape.count)).map(Float.init)
        var a = original, b = original
        var ra = SeededRandom(seed: 7, stream: 0), rb = SeededRandom(seed: 7, stream: 0)
        TrainingAugmentation.flip.apply(to: &a, count: 4, shape: shape, random: &ra)
        TrainingAugmentation.flip.apply(to: &b, count: 4, shape: shape, random: &rb)
        XCTAssertEqual(a, b, "same seed, same augmentation")
        for k in 0..<4 {
            let image = Array(a[(k * 6)..<(k * 6 + 6)]), source = Array(original[(k * 6)..<(k * 6 + 6)])
            let mirrored = [source[2], source[1], source[0], source[5], source[4], source[3]]
            XCTAssertTrue(image == source || image == mirrored, "image \(k) is itself or its mirror")
        }
        var none = original
        TrainingAugmentation.none.apply(to: &none, count: 4, shape: shape, random: &ra)
        XCTAssertEqual(none, original)
    }

    /// Segmentation: each mask moves exactly as its image (both channels), pixels a crop pads in
    /// get the padding label, and the image draws are those of an augmentation without masks.
    func testMasksMoveWithTheirImagesAndPaddingIsLabelled() {
        let shape = SampleShape(channels: 2, height: 8, width: 8), count = 6, plane = 64
        // Every pixel's value names its position, plus one (0 is what padding brings in); the mask holds the same position.
        var images = [Float](repeating: 0, count: count * shape.count)
        var labels = [Int32](repeating: 0, count: count * plane)
        for k in 0..<count {
            for p in 0..<plane {
                images[k * shape.count + p] = Float(p + 1)
                images[k * shape.count + plane + p] = Float(p + 1)
                labels[k * plane + p] = Int32(p)
            }
        }
        var withMasks = images, plain = images
        var masks: [Int32]? = labels
        var r1 = SeededRandom(seed: 3, stream: 1), r2 = SeededRandom(seed: 3, stream: 1)
        TrainingAugmentation.cropFlip.apply(to: &withMasks, masks: &masks, padding: -1, count: count, shape: shape, random: &r1)
        TrainingAugmentation.cropFlip.apply(to: &plain, count: count, shape: shape, random: &r2)
        XCTAssertEqual(withMasks, plain, "masks do not change the images' draws")
        var padded = 0
        for k in 0..<count {
            for p in 0..<plane {
                let value = withMasks[k * shape.count + p], label = masks![k * plane + p]
                XCTAssertEqual(withMasks[k * shape.count + plane + p], value, "both channels move together")
                if value == 0 { XCTAssertEqual(label, -1); padded += 1 } else { XCTAssertEqual(label, Int32(value) - 1) }
            }
        }
        XCTAssertGreaterThan(padded, 0, "some crop padded")
        XCTAssertNotEqual(masks!, labels, "the masks moved")
    }
}
