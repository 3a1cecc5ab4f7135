import Foundation
import XCTest
@testable import AssayReport

/// Writes the sample report (and each chart as a standalone SVG) to
/// `$ASSAY_REPORT_SAMPLE_DIR` for `scripts/report-browser-check.sh`.
final class SampleReportTests: XCTestCase {
    func testWritesSampleReportWhenAskedTo() throws {
        guard let directory = ProcessInfo.processInfo.environment["ASSAY_REPORT_SAMPLE_DIR"] else {
            throw XCTSkip("set ASSAY_REPORT_SAMPLE_DIR to write the sample report")
        }
        let folder = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let html = SampleReport.document().html()
        try Data(html.utf8).write(to: folder.appendingPathComponent("sample-report.html"))
        for (index, chart) in ChartTests.ordinaryCharts().enumerated() {
            try Data(chart.standaloneSVG.utf8).write(to: folder.appendingPathComponent("chart-\(index).svg"))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("sample-report.html").path))
    }
}
