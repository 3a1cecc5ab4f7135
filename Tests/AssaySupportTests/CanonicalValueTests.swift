import AssaySupport
import XCTest

final class CanonicalValueTests: XCTestCase {
    func testMapKeysAreSortedAndWhitespaceIsOmitted() {
        let v: CanonicalValue = ["b": 1, "a": ["z": true, "y": .null], "c": [1, 2]]
        XCTAssertEqual(v.canonicalString, #"{"a":{"y":null,"z":true},"b":1,"c":[1,2]}"#)
    }

    func testDoublesUseShortestRoundTripFormSoSpellingsAgree() {
        XCTAssertEqual(CanonicalValue.double(0.001).canonicalString, CanonicalValue.double(1e-3).canonicalString)
        XCTAssertEqual(CanonicalValue.double(0.001).canonicalString, "0.001")
        XCTAssertEqual(CanonicalValue.double(1e-5).canonicalString, "1e-05")
        XCTAssertEqual(CanonicalValue.double(0.1 + 0.2).canonicalString, "0.30000000000000004")
    }

    func testIntegersAndWholeDoublesAreDistinct() {
        XCTAssertEqual(CanonicalValue.int(1).canonicalString, "1")
        XCTAssertEqual(CanonicalValue.double(1).canonicalString, "1.0")
        XCTAssertNotEqual(CanonicalValue.int(1), CanonicalValue.double(1))
    }

    func testNegativeZeroIsWrittenAsZero() {
        XCTAssertEqual(CanonicalValue.double(-0.0).canonicalString, "0.0")
    }

    func testStringsEscapeOnlyQuotesBackslashesAndControls() {
        XCTAssertEqual(CanonicalValue.string("a\"b\\c\nd\u{1}é").canonicalString, "\"a\\\"b\\\\c\\nd\\u0001é\"")
    }

    func testKeysSortByUTF8Bytes() {
        let v: CanonicalValue = ["é": 1, "z": 2, "Z": 3]
        XCTAssertEqual(v.canonicalString, #"{"Z":3,"z":2,"é":1}"#)
    }

    func testAKeySortsBeforeTheKeysItIsAPrefixOf() {
        let long = String(repeating: "parameter", count: 4)
        let v: CanonicalValue = [long + "b": 1, "ab": 2, "a": 3, long: 4, "": 5]
        XCTAssertEqual(v.canonicalString, #"{"":5,"a":3,"ab":2,""# + long + #"":4,""# + long + #"b":1}"#)
        XCTAssertEqual(CanonicalValue.sortedKeys(["b": 1, "ba": 2, "a": 3, "Ä": 4]), ["a", "b", "ba", "Ä"])
    }

    func testCodableRoundTripKeepsIntAndDouble() throws {
        let v: CanonicalValue = ["i": 3, "d": 0.5, "s": "x", "l": [true, .null]]
        let data = try JSONEncoder().encode(v)
        XCTAssertEqual(try JSONDecoder().decode(CanonicalValue.self, from: data), v)
    }

    func testDigestIsOfCanonicalBytes() {
        let a: CanonicalValue = ["x": 1, "y": 2]
        let b: CanonicalValue = ["y": 2, "x": 1]
        XCTAssertEqual(a.digest, b.digest)
        XCTAssertEqual(a.digest, Digest.of(Array(#"{"x":1,"y":2}"#.utf8)))
    }
}
