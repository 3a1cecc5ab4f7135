@testable import AssayLanguage
import XCTest

final class ComposeScenesKindTests: XCTestCase {
    /// A `per-canvas` out of its range is reported once, by its field, and not again as a malformed
    /// [min, max] (the kind's check skips a field that failed its own check).
    func testPerCanvasOutOfRangeIsReportedOnce() {
        let result = checkText("""
            assay: 1
            datasets:
              items: { synthetic: { shape: [1, 8, 8] } }
              scenes: { compose: { items: items, per-canvas: [1, 2000] } }
            """)
        XCTAssertEqual(result.diagnostics.map(\.id), ["out-of-range"])
        XCTAssertEqual(result.diagnostics.first?.path, "datasets.scenes.compose.per-canvas[1]")
    }

    func testPerCanvasWithMinAboveMaxIsMalformed() {
        let result = checkText("""
            assay: 1
            datasets:
              items: { synthetic: { shape: [1, 8, 8] } }
              scenes: { compose: { items: items, per-canvas: [3, 2] } }
            """)
        XCTAssertEqual(result.diagnostics.map(\.id), ["out-of-range"])
        XCTAssertEqual(result.diagnostics.first?.path, "datasets.scenes.compose.per-canvas")
    }
}
