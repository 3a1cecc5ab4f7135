import AssaySupport
import XCTest

final class DiagnosticRendererTests: XCTestCase {
    let file = SourceFile(path: "exp.yaml", text: "stages:\n  erm:\n    model: small-cnn\n    data: fmnst.train\n")

    func diagnostic() -> Diagnostic {
        .error("unknown-dataset", "unknown dataset `fmnst`", at: file.span(from: 46, to: 51), label: "not declared under `datasets:`",
               help: ["did you mean `fmnist`?"], path: "stages.erm.data")
    }

    func testTextRenderingShowsLocationSourceCaretsHelpAndPath() {
        let text = DiagnosticRenderer(sources: [file]).renderText(diagnostic())
        XCTAssertEqual(text, """
            error[unknown-dataset]: unknown dataset `fmnst`
             --> exp.yaml:4:11
              |
            3 |     model: small-cnn
            4 |     data: fmnst.train
              |           ^^^^^ not declared under `datasets:`
              |
              = help: did you mean `fmnist`?
              = path: stages.erm.data

            """)
    }

    func testJSONRenderingCarriesTheSameFields() throws {
        let json = DiagnosticRenderer(sources: [file]).renderJSON([diagnostic()])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let first = (object["diagnostics"] as! [[String: Any]])[0]
        XCTAssertEqual(first["id"] as? String, "unknown-dataset")
        XCTAssertEqual(first["path"] as? String, "stages.erm.data")
        XCTAssertEqual((first["start"] as! [String: Int])["line"], 4)
        XCTAssertEqual((first["start"] as! [String: Int])["column"], 11)
        XCTAssertEqual((first["end"] as! [String: Int])["column"], 16)
    }

    func testDiagnosticWithoutSpanRendersMessageAndHelpOnly() {
        let d = Diagnostic.error("unknown-parameter", "no parameter `x`", at: nil, help: ["declared: a"])
        XCTAssertEqual(DiagnosticRenderer(sources: []).renderText(d), "error[unknown-parameter]: no parameter `x`\n  = help: declared: a\n")
    }

    func testSortedUniqueRemovesDuplicatesAndOrdersByPosition() {
        let late = Diagnostic.error("b", "late", at: file.span(from: 40, to: 41))
        let early = Diagnostic.error("a", "early", at: file.span(from: 1, to: 2))
        XCTAssertEqual([late, early, late].sortedUnique().map(\.message), ["early", "late"])
    }
}
