import XCTest
@testable import AssayReport

final class SeedStatisticsTests: XCTestCase {
    func testMeanAndSampleStandardDeviationByHand() throws {
        // 0.90, 0.92, 0.97: mean 0.93; deviations −0.03, −0.01, 0.04; squares sum 0.0026;
        // over n − 1 = 2 → 0.0013; sd = √0.0013 = 0.036056.
        let s = try XCTUnwrap(SeedStatistics([0.90, 0.92, 0.97]))
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s.mean, 0.93, accuracy: 1e-12)
        XCTAssertEqual(s.standardDeviation, 0.0360555127546, accuracy: 1e-9)
        XCTAssertEqual(s.text(.fixed(3)), "0.930 ± 0.036 (n=3)")
    }

    func testOneSeedHasNoSpreadAndNonFiniteValuesAreLeftOut() throws {
        let one = try XCTUnwrap(SeedStatistics([0.5, .nan]))
        XCTAssertEqual(one.count, 1)
        XCTAssertTrue(one.standardDeviation.isNaN)
        XCTAssertEqual(one.text(.fixed(2)), "0.50")
        XCTAssertNil(SeedStatistics([.nan, .infinity]))
        XCTAssertNil(SeedStatistics([]))
    }

    func testBarChartDrawsWhiskersOnlyWhereASpreadIsGiven() {
        let chart = BarChart(title: "t", categories: ["a", "b"], series: [.init(name: "m", values: [0.5, 0.8], errors: [0.1, .nan])], yDomain: 0...1)
        let svg = chart.standaloneSVG
        XCTAssertEqual(svg.components(separatedBy: "class=\"error-bar\"").count, 2)
        assertWellFormedXML(svg)
    }
}
