import XCTest
@testable import AssayLearn

final class MedianFrequencyWeightsTests: XCTestCase {
    /// Three 4-pixel masks, classes 0…2, void 9.
    /// mask A: 0 0 0 1   mask B: 0 0 2 2   mask C: 1 1 9 9 (void excluded: 2 counted pixels)
    /// f0 = 5 / (4 + 4) = 0.625; f1 = (1 + 2) / (4 + 2) = 0.5; f2 = 2 / 4 = 0.5.
    /// median = 0.5 → w = [0.8, 1, 1].
    func testMedianFrequencyWeightsOnHandMadeMasks() throws {
        let masks: [[Int32]] = [[0, 0, 0, 1], [0, 0, 2, 2], [1, 1, 9, 9]]
        let weights = try MedianFrequencyWeights.compute(masks: masks, classCount: 3, void: 9)
        XCTAssertEqual(weights[0], 0.8, accuracy: 1e-12)
        XCTAssertEqual(weights[1], 1, accuracy: 1e-12)
        XCTAssertEqual(weights[2], 1, accuracy: 1e-12)
    }

    /// An absent class gets weight 0 and does not enter the median.
    /// f0 = 3/4, f1 = 1/4 → median (even count) = 0.5 → w = [2/3, 2, 0].
    func testMedianFrequencyWeightsGiveAbsentClassesZero() throws {
        let weights = try MedianFrequencyWeights.compute(masks: [[0, 0, 0, 1]], classCount: 3)
        XCTAssertEqual(weights[0], 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(weights[1], 2, accuracy: 1e-12)
        XCTAssertEqual(weights[2], 0)
    }
}
