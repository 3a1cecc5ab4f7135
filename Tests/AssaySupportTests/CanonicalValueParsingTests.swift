import AssaySupport
import XCTest

final class CanonicalValueParsingTests: XCTestCase {
    func testCanonicalBytesRoundTripThroughTheParser() throws {
        let value: CanonicalValue = .map([
            "epochs": .int(3), "lr": .double(0.001), "name": .string("a \"quoted\"\nline é"),
            "grid": .list([.double(1.0), .double(0.7), .null, .bool(true)]), "nested": .map(["x": .int(-4)]),
        ])
        let parsed = try CanonicalValue(json: value.canonicalJSON)
        XCTAssertEqual(parsed, value)
        XCTAssertEqual(parsed.canonicalJSON, value.canonicalJSON)
    }

    func testIntegersAndDoublesStayDistinct() throws {
        XCTAssertEqual(try CanonicalValue(json: "1"), .int(1))
        XCTAssertEqual(try CanonicalValue(json: "1.0"), .double(1))
        XCTAssertEqual(try CanonicalValue(json: "1e-3"), .double(0.001))
    }

    func testMalformedJSONReportsTheOffset() {
        XCTAssertThrowsError(try CanonicalValue(json: "{\"a\": }")) { error in
            XCTAssertEqual((error as? CanonicalValue.ParseError)?.offset, 6)
        }
        XCTAssertThrowsError(try CanonicalValue(json: "[1, 2"))
        XCTAssertThrowsError(try CanonicalValue(json: "{} extra"))
    }

    func testSurrogatePairsDecodeToOneScalar() throws {
        XCTAssertEqual(try CanonicalValue(json: "\"\\ud83d\\ude00\""), .string("😀"))
    }
}
