import AssaySupport
import XCTest

final class SourceFileTests: XCTestCase {
    func testLinesSplitOnLFCRLFAndCR() {
        let file = SourceFile(path: "f", text: "a\nbb\r\nccc\rdddd")
        XCTAssertEqual(file.lineCount, 4)
        XCTAssertEqual((1...4).map(file.line), ["a", "bb", "ccc", "dddd"])
    }

    func testOffsetMapsToLineAndScalarColumn() {
        let file = SourceFile(path: "f", text: "ab\ncé d\n")
        let loc = file.location(ofOffset: 7)  // "d": c(1) é(2 bytes) space → offset 3+1+2+1 = 7
        XCTAssertEqual(loc.line, 2)
        XCTAssertEqual(loc.column, 4)
        XCTAssertEqual(file.location(line: 2, column: 4).offset, 7)
    }

    func testInvalidUTF8IsFoundAtItsOffset() {
        XCTAssertNil(SourceFile(path: "f", text: "ok é ✓").firstInvalidUTF8Offset())
        XCTAssertEqual(SourceFile(path: "f", bytes: [0x61, 0x62, 0xFF, 0x63]).firstInvalidUTF8Offset(), 2)
        XCTAssertEqual(SourceFile(path: "f", bytes: [0x61, 0xE2, 0x82]).firstInvalidUTF8Offset(), 1)
        XCTAssertEqual(SourceFile(path: "f", bytes: [0xED, 0xA0, 0x80]).firstInvalidUTF8Offset(), 0)  // surrogate
    }

    func testLocationsBeyondTheEndAreClamped() {
        let file = SourceFile(path: "f", text: "abc")
        XCTAssertEqual(file.location(ofOffset: 99).offset, 3)
        XCTAssertEqual(file.location(line: 9, column: 1).offset, 3)
    }
}
