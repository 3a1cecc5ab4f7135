import XCTest
@testable import AssayData

final class ImageDatasetClassWeightsTests: XCTestCase {
    func testMedianFrequencyWeightsOnAHandMadeMaskSet() throws {
        // Two 2×2 images, classes 0, 1, 2, 3 (3 never occurs), void 9.
        // Image 0: 0 0 0 1 → class 0: 3 px, class 1: 1 px, 4 labelled pixels.
        // Image 1: 0 2 2 9 → class 0: 1 px, class 2: 2 px, 3 labelled pixels.
        // f0 = 4/7, f1 = 1/4, f2 = 2/3; median of present = 4/7.
        let masks = SegmentationMasks(classNames: ["bg", "a", "b", "c"], voidLabel: 9, pixels: [0, 0, 0, 1, 0, 2, 2, 9])
        let data = try ImageDataset(shape: SampleShape(channels: 1, height: 2, width: 2), pixels: [UInt8](repeating: 0, count: 8),
                                    labels: [0, 0], classNames: ["scene"], masks: masks)
        let weights = try XCTUnwrap(data.medianFrequencyClassWeights())
        XCTAssertEqual(weights[0], 1, accuracy: 1e-6)
        XCTAssertEqual(weights[1], Float((4.0 / 7) / (1.0 / 4)), accuracy: 1e-6)
        XCTAssertEqual(weights[2], Float((4.0 / 7) / (2.0 / 3)), accuracy: 1e-6)
        XCTAssertEqual(weights[3], 0)
        XCTAssertNil(TestData.squares(count: 2).medianFrequencyClassWeights())
    }
}
