@testable import AssayStages
import Foundation
import XCTest

final class ReportOperatorTests: XCTestCase {
    func testIntegerMetricsZeroAndOneAreTabulatedAndBooleansAreNot() throws {
        // A top-k overlap of 0 or 1 is the figure a push-down attack is judged by.
        let data = Data(#"{"format": "assay.metrics/1", "metrics": {"top-k-overlap": 0, "k": 9, "same-unit": 1, "kendall-tau": -0.29, "alive": true}}"#.utf8)
        let row = try ReportOperator.row(method: "hidden", data: data, stage: "summary")
        XCTAssertEqual(row.values, ["top-k-overlap": 0, "k": 9, "same-unit": 1, "kendall-tau": -0.29])
        XCTAssertTrue(ReportOperator.table(rows: [row], columns: ["top-k-overlap"], groupNames: []).contains("0.0000"))
    }
}
