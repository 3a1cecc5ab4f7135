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
}
