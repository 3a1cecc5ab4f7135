import XCTest
@testable import AssayReport

final class AxisTicksTests: XCTestCase {
    func testUnitIntervalGetsStepsOfTwoTenths() {
        let axis = AxisTicks.linear(covering: [0, 1], targetCount: 5)
        XCTAssertEqual(axis.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(axis.lower, 0)
        XCTAssertEqual(axis.upper, 1, accuracy: 1e-12)
    }

    func testDomainWidensToWholeNiceSteps() {
        let axis = AxisTicks.linear(covering: [0.83, 0.97], targetCount: 5)
        XCTAssertEqual(axis.labels, ["0.80", "0.85", "0.90", "0.95", "1.00"])
        XCTAssertLessThanOrEqual(axis.lower, 0.83)
        XCTAssertGreaterThanOrEqual(axis.upper, 0.97)
    }

    func testNegativeAndLargeValuesUseShortLabels() {
        XCTAssertEqual(AxisTicks.linear(covering: [-3, 7], targetCount: 5).labels, ["-4", "-2", "0", "2", "4", "6", "8"])
        XCTAssertEqual(AxisTicks.linear(covering: [0, 50_000], targetCount: 5).labels, ["0", "10k", "20k", "30k", "40k", "50k"])
    }

    func testConstantDataOpensAWindowAroundTheValue() {
        let axis = AxisTicks.linear(covering: [0.9, 0.9, 0.9])
        XCTAssertLessThan(axis.lower, 0.9)
        XCTAssertGreaterThan(axis.upper, 0.9)
        XCTAssertEqual(axis.fraction(of: 0.9)!, 0.5, accuracy: 0.2)
        let zero = AxisTicks.linear(covering: [0])
        XCTAssertLessThan(zero.lower, 0)
        XCTAssertGreaterThan(zero.upper, 0)
    }

    func testHugeMagnitudesWithATinySpreadTerminateWithFiniteTicks() {
        for data in [[1e17, 1e17 + 16], [1e300, 1.0000001e300], [-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude]] {
            let axis = AxisTicks.linear(covering: data)
            XCTAssertTrue(axis.values.allSatisfy(\.isFinite), "\(data)")
            XCTAssertLessThanOrEqual(axis.values.count, 1001)
        }
    }

    func testEmptyAndNonFiniteDataFallBackToTheUnitInterval() {
        for data in [[], [Double.nan], [Double.infinity, -Double.infinity]] {
            let axis = AxisTicks.linear(covering: data)
            XCTAssertEqual(axis.lower, 0)
            XCTAssertEqual(axis.upper, 1, accuracy: 1e-12)
            XCTAssertTrue(axis.values.allSatisfy(\.isFinite))
        }
    }

    func testTicksStayInsideTheDomainAndAscend() {
        for (low, high) in [(0.001, 0.0013), (-1e6, 3e6), (17.0, 93.0), (0.5, 200.0)] {
            let axis = AxisTicks.linear(covering: [low, high])
            XCTAssertEqual(axis.values, axis.values.sorted())
            XCTAssertTrue(axis.values.allSatisfy { $0 >= axis.lower - 1e-9 && $0 <= axis.upper + 1e-9 })
            XCTAssertEqual(Set(axis.labels).count, axis.labels.count, "labels repeat for \(low)...\(high): \(axis.labels)")
            XCTAssertTrue((3...11).contains(axis.values.count), "\(axis.values.count) ticks for \(low)...\(high)")
        }
    }

    func testLogarithmicAxisTicksAtPowersOfTenWithTwoAndFiveForFewDecades() {
        let wide = AxisTicks.logarithmic(covering: [0.01, 0.03, 1])
        XCTAssertEqual(wide.labels, ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"])
        let many = AxisTicks.logarithmic(covering: [1e-6, 1])
        XCTAssertEqual(many.labels, ["1e-6", "1e-5", "1e-4", "0.001", "0.01", "0.1", "1"])
        XCTAssertEqual(many.fraction(of: 1e-3)!, 0.5, accuracy: 1e-12)
    }

    func testLogarithmicAxisIgnoresValuesItCannotDraw() {
        let axis = AxisTicks.logarithmic(covering: [0, -1, 5, 50])
        XCTAssertEqual(axis.lower, 1)
        XCTAssertEqual(axis.upper, 100, accuracy: 1e-9)
        XCTAssertNil(axis.fraction(of: 0))
        XCTAssertNil(axis.fraction(of: -3))
        XCTAssertEqual(AxisTicks.logarithmic(covering: [0]).labels.first, "1")
    }
}
