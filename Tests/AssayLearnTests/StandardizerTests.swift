import XCTest
@testable import AssayLearn

final class StandardizerTests: XCTestCase {
    func testUsesPopulationStatisticsAndGuardsConstantFeatures() throws {
        let x = FeatureMatrix(rowArrays: [[1, 5], [3, 5]])
        let standardizer = try Standardizer.fit(x)
        XCTAssertEqual(standardizer.means, [2, 5])
        XCTAssertEqual(standardizer.scales, [1, 1])
        XCTAssertEqual(try standardizer.apply(x).values, [-1, 0, 1, 0])
    }

    func testStatisticsOfTheFitRowsApplyToOtherData() throws {
        let x = FeatureMatrix(rowArrays: [[0], [10], [2], [4]])
        let standardizer = try Standardizer.fit(x, rows: [2, 3])  // mean 3, sd 1
        XCTAssertEqual(try standardizer.apply(FeatureMatrix(rowArrays: [[5]])).values, [2])
        XCTAssertThrowsError(try standardizer.apply(FeatureMatrix(rowArrays: [[1, 2]])))
    }
}
