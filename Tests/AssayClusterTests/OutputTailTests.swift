import XCTest
@testable import AssayCluster

final class OutputTailTests: XCTestCase {
    func testShortFileIsReturnedWhole() throws {
        let path = try write("a\nb\nc\n")
        XCTAssertEqual(OutputTail.read(path: path), "a\nb\nc")
    }

    func testOnlyTheLastLinesAreKept() throws {
        let path = try write((1...100).map(String.init).joined(separator: "\n") + "\n")
        XCTAssertEqual(OutputTail.read(path: path, lines: 3), "98\n99\n100")
    }

    func testByteLimitDropsTheCutFirstLine() throws {
        let path = try write("0123456789\nabc\ndef\n")
        // The last 10 bytes are "9\nabc\ndef\n": the cut line "9" is dropped.
        XCTAssertEqual(OutputTail.read(path: path, lines: 10, maxBytes: 10), "abc\ndef")
    }

    func testMissingFileHasNoTail() {
        XCTAssertNil(OutputTail.read(path: "/nonexistent/job.out"))
    }

    private func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID().uuidString).out")
        try text.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}
