import XCTest
@testable import AssayLearn

final class MetricsTests: XCTestCase {
    func testAccuracyCountsExactMatches() {
        XCTAssertEqual(Metrics.accuracy(predicted: [0, 1, 1, 2], truth: [0, 1, 2, 2]), 0.75)
        XCTAssertEqual(Metrics.accuracy(predicted: [], truth: []), 0)
    }

    func testCosineSimilarityOfHandVectors() {
        XCTAssertEqual(Metrics.cosineSimilarity([1, 0], [0, 1]), 0, accuracy: 1e-12)
        XCTAssertEqual(Metrics.cosineSimilarity([1, 2, 3], [2, 4, 6]), 1, accuracy: 1e-12)
        XCTAssertEqual(Metrics.cosineSimilarity([1, 1], [1, 0]), 1 / 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Metrics.cosineSimilarity([1, 1], [-1, -1]), -1, accuracy: 1e-12)
        XCTAssertEqual(Metrics.cosineSimilarity([0, 0], [1, 0]), 0)
    }
}
