import XCTest
@testable import AssayLearn

final class ConfusionMatrixTests: XCTestCase {
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

    func testRowAndColumnSumsAndMerging() {
        var a = ConfusionMatrix(counts: [[2, 1], [0, 3]])
        XCTAssertEqual(a.truthCount(0), 3)
        XCTAssertEqual(a.predictedCount(1), 4)
        XCTAssertEqual(a.correct, 5)
        a.add(ConfusionMatrix(counts: [[1, 0], [1, 1]]))
        XCTAssertEqual(a.counts, [3, 1, 1, 4])
    }
}
