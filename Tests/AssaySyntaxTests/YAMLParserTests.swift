import AssaySupport
import AssaySyntax
import XCTest

final class YAMLParserTests: XCTestCase {
    func parse(_ text: String, limits: YAMLParseLimits = .standard) -> YAMLParseResult {
        YAMLParser.parse(SourceFile(path: "t.yaml", text: text), limits: limits)
    }

    func testMappingKeepsSourceOrderAndExactSpans() throws {
        let result = parse("b: 1\na: [x, 'y']\n")
        XCTAssertTrue(result.diagnostics.isEmpty)
        let pairs = try XCTUnwrap(result.root?.pairs)
        XCTAssertEqual(pairs.map { $0.key.scalar }, ["b", "a"])
        let list = try XCTUnwrap(pairs[1].value.items)
        XCTAssertEqual(list[1].scalar, "y")
        XCTAssertEqual(list[1].style, .singleQuoted)
        XCTAssertEqual(list[1].span.start.line, 2)
        XCTAssertEqual(list[1].span.start.column, 8)
        XCTAssertEqual(list[1].span.end.column, 11)
        XCTAssertTrue(pairs[1].value.isFlow)
    }

    func testBlockMappingEndsAtItsLastValue() throws {
        let root = try XCTUnwrap(parse("a:\n  b: 1\n  c: 22\nd: 3\n").root)
        let inner = try XCTUnwrap(root["a"])
        XCTAssertEqual(inner.span.start.line, 2)
        XCTAssertEqual(inner.span.end.line, 3)
        XCTAssertEqual(inner.span.end.column, 8)
    }

    func ids(_ text: String) -> [String] { parse(text).diagnostics.map(\.id.rawValue) }

    func testDuplicateKeyPointsAtTheSecondWithANoteAtTheFirst() throws {
        let d = try XCTUnwrap(parse("a: 1\na: 2\n").diagnostics.first)
        XCTAssertEqual(d.id, "duplicate-key")
        XCTAssertEqual(d.span?.start.line, 2)
        XCTAssertEqual(d.notes.first?.span?.start.line, 1)
    }

    func testAnchorsAliasesMergeKeysAndTagsAreRejected() {
        XCTAssertEqual(ids("a: &x 1\n"), ["yaml-anchor"])
        XCTAssertEqual(Set(ids("a: &x 1\nb: *x\n")), ["yaml-anchor", "yaml-alias"])
        XCTAssertEqual(ids("<<: {a: 1}\n"), ["yaml-merge-key"])
        XCTAssertEqual(ids("a: !!str 1\n"), ["yaml-tag"])
        XCTAssertEqual(ids("a: !custom {b: 1}\n"), ["yaml-tag"])
        XCTAssertEqual(ids("a: '<<'\n"), [])  // a quoted `<<` is just a string
    }

    func testQuotedScalarsAreNotTagErrors() {
        XCTAssertEqual(ids("a: \"x\"\nb: 'y'\nc: |\n  z\n"), [])
    }

    func testEmptyFilesAndMultipleDocumentsAreReported() {
        XCTAssertEqual(ids(""), ["empty-file"])
        XCTAssertEqual(ids("  \n\n"), ["empty-file"])
        XCTAssertEqual(ids("a: 1\n---\nb: 2\n"), ["multiple-documents"])
    }

    func testMalformedYAMLGivesAPositionedSyntaxError() throws {
        let d = try XCTUnwrap(parse("a: [1, 2\nb: 3\n").diagnostics.first)
        XCTAssertEqual(d.id, "yaml-syntax")
        XCTAssertNotNil(d.span)
        XCTAssertNil(parse("a: [1, 2\n").root)
    }

    func testDeepNestingStopsAtTheLimit() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertEqual(ids(deep), ["nesting-too-deep"])
        XCTAssertEqual(ids(String(repeating: "[", count: 10) + String(repeating: "]", count: 10)), [])
    }

    func testOversizedAndBinaryFilesAreRejectedBeforeParsing() {
        XCTAssertEqual(parse("a: 1234567890\n", limits: YAMLParseLimits(maxBytes: 8)).diagnostics.map(\.id), ["file-too-large"])
        XCTAssertEqual(YAMLParser.parse(SourceFile(path: "b", bytes: [0x61, 0x3A, 0x20, 0xFF, 0xFE])).diagnostics.map(\.id), ["invalid-utf8"])
        XCTAssertEqual(YAMLParser.parse(SourceFile(path: "b", bytes: [0x61, 0x3A, 0x20, 0x00])).diagnostics.map(\.id), ["invalid-utf8"])
    }

    func testRandomBytesNeverCrashAndAlwaysGiveATreeOrADiagnostic() {
        var random = SeededRandom(seed: 7)
        let alphabet = Array("ab: -[]{},&*!|>'\"#\n\t ?<%@`\\é".utf8)
        for _ in 0..<2000 {
            let n = random.nextInt(below: 60)
            let bytes = (0..<n).map { _ in random.nextInt(below: 10) == 0 ? UInt8(random.nextInt(below: 256)) : alphabet[random.nextInt(below: alphabet.count)] }
            let result = YAMLParser.parse(SourceFile(path: "r", bytes: bytes))
            XCTAssertTrue(result.root != nil || !result.diagnostics.isEmpty)
        }
    }
}
