import XCTest
@testable import AssayLearn

final class RankingOverlapTests: XCTestCase {
    func testTopKBreaksTiesByIndex() {
        XCTAssertEqual(RankingOverlap.topK([0.1, 0.9, 0.5, 0.9], k: 3), [1, 3, 2])
        XCTAssertEqual(RankingOverlap.topK([1, 2], k: 5), [1, 0])
    }

    func testTopKOverlapCountsSharedItems() {
        let before: [Float] = [9, 8, 7, 1, 0, 0]
        let after: [Float] = [0, 8, 1, 9, 7, 0]
        // top-3 before {0, 1, 2}, after {3, 1, 4} → share {1}.
        XCTAssertEqual(RankingOverlap.topKOverlap(before, after, k: 3), 1)
        XCTAssertEqual(RankingOverlap.topKOverlap(before, before, k: 3), 3)
    }

    func testJaccardOfHandSets() {
        XCTAssertEqual(RankingOverlap.jaccard(Set([1, 2, 3]), Set([2, 3, 4, 5])), 2.0 / 5.0, accuracy: 1e-12)
        XCTAssertEqual(RankingOverlap.jaccard(Set<Int>(), Set<Int>()), 1)
        XCTAssertEqual(RankingOverlap.jaccard(Set(["a"]), Set(["b"])), 0)
    }
}
