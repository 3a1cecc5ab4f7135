import AssaySupport
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

    func testFittingRowsHandedInRunsGivesTheSameBitsAsTheWholeMatrix() throws {
        var random = SeededRandom(seed: 7)
        let x = FeatureMatrix(rows: 37, columns: 5, values: (0..<185).map { _ in Float(random.nextDouble() * 200 - 100) })
        let whole = try Standardizer.fit(x)
        for run in [1, 4, 36, 37, 100] {
            let streamed = try Standardizer.fit(rows: x.rows, columns: x.columns) { body in
                for start in stride(from: 0, to: x.rows, by: run) {
                    try x.values[start * 5 ..< min(x.rows, start + run) * 5].withUnsafeBufferPointer(body)
                }
            }
            XCTAssertEqual(streamed, whole, "rows handed \(run) at a time")
        }
        XCTAssertThrowsError(try Standardizer.fit(rows: 0, columns: 5) { _ in })
    }
}
