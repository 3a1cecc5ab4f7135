import XCTest
@testable import AssayCluster

final class ShellQuotingTests: XCTestCase {
    func testPlainWordsStayBare() {
        XCTAssertEqual(ShellQuoting.quote("/store/plans/ab12.json"), "/store/plans/ab12.json")
        XCTAssertEqual(ShellQuoting.quote("--stage=erm"), "--stage=erm")
    }

    func testSpecialWordsAreSingleQuoted() {
        XCTAssertEqual(ShellQuoting.quote(""), "''")
        XCTAssertEqual(ShellQuoting.quote("a b"), "'a b'")
        XCTAssertEqual(ShellQuoting.quote("$(rm -rf /)"), "'$(rm -rf /)'")
        XCTAssertEqual(ShellQuoting.quote("it's"), "'it'\\''s'")
    }

    func testQuotedWordsReachTheProgramUnchanged() throws {
        let words = ["a b", "it's", "$HOME", "`x`", "semi;colon", "new\nline", "*", "é"]
        let script = "printf '%s|' " + ShellQuoting.commandLine(words)
        let result = try ProcessCommandRunner().run("sh", arguments: ["-c", script])
        XCTAssertEqual(result.standardOutput, words.map { $0 + "|" }.joined())
    }
}
