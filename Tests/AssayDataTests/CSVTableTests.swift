import XCTest
@testable import AssayData

final class CSVTableTests: XCTestCase {
    func testQuotedFieldsWithCommasQuotesAndNewlinesParse() throws {
        let text = "name,note\n\"a, b\",\"say \"\"hi\"\"\"\n\"multi\nline\",x\nlast,y"
        let table = try CSVTable.parse(Array(text.utf8), path: "t.csv")
        XCTAssertEqual(table.header, ["name", "note"])
        XCTAssertEqual(table.rows, [["a, b", "say \"hi\""], ["multi\nline", "x"], ["last", "y"]])
        XCTAssertEqual(table.rowLines, [2, 3, 5])
    }

    func testCRLFLineEndsAndByteOrderMarkAreAccepted() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\r\n1,2\r\n3,4\r\n\r\n".utf8)
        let table = try CSVTable.parse(bytes, path: "t.csv")
        XCTAssertEqual(table.header, ["a", "b"])
        XCTAssertEqual(table.rows, [["1", "2"], ["3", "4"]])
        XCTAssertEqual(table.rowLines, [2, 3])
    }

    func testMissingColumnsAreNamedWithTheColumnsFound() throws {
        let table = try CSVTable.parse(Array("img_filename,y\nx.png,1\n".utf8), path: "/data/metadata.csv")
        XCTAssertThrowsError(try table.columns(["img_filename", "y", "place", "split"])) { error in
            XCTAssertEqual(error as? DataError, .missingColumns(path: "/data/metadata.csv", missing: ["place", "split"], found: ["img_filename", "y"]))
            let message = String(describing: error)
            XCTAssertTrue(message.contains("`place`") && message.contains("`split`") && message.contains("/data/metadata.csv"), message)
        }
    }

    func testWrongFieldCountNamesTheLine() {
        XCTAssertThrowsError(try CSVTable.parse(Array("a,b\n1,2\n3\n".utf8), path: "m.csv")) { error in
            guard case let .csvSyntax(path, line, _, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "m.csv")
            XCTAssertEqual(line, 3)
        }
    }

    func testUnclosedQuoteIsAnErrorAtTheRowStart() {
        XCTAssertThrowsError(try CSVTable.parse(Array("a,b\n1,\"open\n2,3\n".utf8), path: "m.csv")) { error in
            guard case let .csvSyntax(_, line, _, message)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 2)
            XCTAssertTrue(message.contains("not closed"))
        }
    }

    func testBadIntegerNamesLineAndColumn() throws {
        let table = try CSVTable.parse(Array("y,split\n1,0\nx,1\n".utf8), path: "m.csv")
        XCTAssertEqual(try table.integer(row: 0, column: 0), 1)
        XCTAssertThrowsError(try table.integer(row: 1, column: 0)) { error in
            XCTAssertEqual(error as? DataError, .csvSyntax(path: "m.csv", line: 3, column: "y", message: "expected an integer, found `x`"))
        }
    }
}
