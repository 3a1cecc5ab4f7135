import XCTest
@testable import AssayReport

final class NumberFormatTests: XCTestCase {
    func testFixedPercentIntegerAndScientific() {
        XCTAssertEqual(NumberFormat.fixed(3).format(0.12345), "0.123")
        XCTAssertEqual(NumberFormat.percent(1).format(0.8734), "87.3%")
        XCTAssertEqual(NumberFormat.integer.format(41.6), "42")
        XCTAssertEqual(NumberFormat.scientific(2).format(0.000125), "1.25e-4")
        XCTAssertEqual(NumberFormat.scientific(1).format(12345), "1.2e4")
    }

    func testAutomaticPicksIntegersSignificantDigitsOrScientific() {
        XCTAssertEqual(NumberFormat.automatic.format(12), "12")
        XCTAssertEqual(NumberFormat.automatic.format(0.78126), "0.7813")
        XCTAssertEqual(NumberFormat.automatic.format(123.456), "123.5")
        XCTAssertEqual(NumberFormat.automatic.format(0.5), "0.5")
        XCTAssertEqual(NumberFormat.automatic.format(0.00002), "2.00e-5")
        XCTAssertEqual(NumberFormat.automatic.format(2.5e7), "2.50e7")
    }

    func testNegativeZeroLosesItsSign() {
        XCTAssertEqual(NumberFormat.fixed(2).format(-0.001), "0.00")
        XCTAssertEqual(NumberFormat.automatic.format(-0.0), "0")
    }

    func testNonFiniteValuesHaveReadableText() {
        XCTAssertEqual(NumberFormat.fixed(2).format(.nan), "—")
        XCTAssertEqual(NumberFormat.percent(1).format(.infinity), "∞")
        XCTAssertEqual(NumberFormat.automatic.format(-.infinity), "−∞")
    }

    func testDurationsAreShortAndRounded() {
        XCTAssertEqual(DurationText.format(0.25), "250ms")
        XCTAssertEqual(DurationText.format(12.34), "12.3s")
        XCTAssertEqual(DurationText.format(245), "4m05s")
        XCTAssertEqual(DurationText.format(59.97), "1m00s")
        XCTAssertEqual(DurationText.format(7380), "2h03m")
        XCTAssertEqual(DurationText.format(.nan), "?")
    }
}
