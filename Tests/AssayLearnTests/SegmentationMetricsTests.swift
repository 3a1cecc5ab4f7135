import XCTest
@testable import AssayLearn

final class SegmentationMetricsTests: XCTestCase {
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
}
