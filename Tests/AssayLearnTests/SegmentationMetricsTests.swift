import XCTest
@testable import AssayLearn

final class SegmentationMetricsTests: XCTestCase {
    func testAccumulateSkipsVoidAndCountsPairs() throws {
        var confusion = ConfusionMatrix(classCount: 3)
        try confusion.accumulate(predicted: [0, 1, 2, 2, 1], truth: [0, 1, 255, 2, 2], void: 255)
        XCTAssertEqual(confusion.total, 4)
        XCTAssertEqual(confusion[0, 0], 1)
        XCTAssertEqual(confusion[1, 1], 1)
        XCTAssertEqual(confusion[2, 2], 1)
        XCTAssertEqual(confusion[2, 1], 1)
        XCTAssertThrowsError(try confusion.accumulate(predicted: [3], truth: [0]))
    }

    /// Rows truth, columns prediction; class 3 appears nowhere, class 2 is only predicted.
    ///        p0  p1  p2  p3
    ///   t0 [ 5,  1,  2,  0 ]
    ///   t1 [ 1,  3,  0,  0 ]
    ///   t2 [ 0,  0,  0,  0 ]
    ///   t3 [ 0,  0,  0,  0 ]
    func testScoresOfHandMadeConfusionMatrix() {
        let confusion = ConfusionMatrix(counts: [[5, 1, 2, 0], [1, 3, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
        let scores = SegmentationMetrics(confusion)
        XCTAssertEqual(scores.globalAccuracy, 8.0 / 12.0, accuracy: 1e-12)
        // Recall: class 0 5/8, class 1 3/4; classes 2 and 3 never true → excluded.
        XCTAssertEqual(scores.classRecall[0]!, 5.0 / 8.0, accuracy: 1e-12)
        XCTAssertEqual(scores.classRecall[1]!, 0.75, accuracy: 1e-12)
        XCTAssertNil(scores.classRecall[2])
        XCTAssertNil(scores.classRecall[3])
        XCTAssertEqual(scores.classAverageAccuracy, (5.0 / 8.0 + 0.75) / 2, accuracy: 1e-12)
        // IoU: class 0 5/(8+6−5)=5/9, class 1 3/(4+4−3)=3/5, class 2 0/(0+2−0)=0, class 3 undefined.
        XCTAssertEqual(scores.classIoU[0]!, 5.0 / 9.0, accuracy: 1e-12)
        XCTAssertEqual(scores.classIoU[1]!, 0.6, accuracy: 1e-12)
        XCTAssertEqual(scores.classIoU[2]!, 0, accuracy: 1e-12)
        XCTAssertNil(scores.classIoU[3])
        XCTAssertEqual(scores.meanIoU, (5.0 / 9.0 + 0.6 + 0) / 3, accuracy: 1e-12)
    }

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
