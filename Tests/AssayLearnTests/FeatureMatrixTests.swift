import XCTest
@testable import AssayLearn

final class FeatureMatrixTests: XCTestCase {
    let x = FeatureMatrix(rowArrays: [[1, 2, 3], [4, 5, 6]])

    func testSelectingRowsKeepsOrderAndDuplicates() {
        XCTAssertEqual(x.selectingRows([1, 0, 1]).values, [4, 5, 6, 1, 2, 3, 4, 5, 6])
    }

    func testSelectingColumns() {
        XCTAssertEqual(x.selectingColumns([2, 0]), FeatureMatrix(rowArrays: [[3, 1], [6, 4]]))
    }

    func testConcatenatingColumnsPlacesBlocksSideBySide() {
        let y = FeatureMatrix(rowArrays: [[7], [8]])
        XCTAssertEqual(FeatureMatrix.concatenatingColumns([x, y]), FeatureMatrix(rowArrays: [[1, 2, 3, 7], [4, 5, 6, 8]]))
        XCTAssertEqual(x[1, 2], 6)
        XCTAssertEqual(x.row(0), [1, 2, 3])
    }
}
