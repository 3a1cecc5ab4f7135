import AssayLSP
import AssaySupport
import AssayTestSupport
import Foundation
import XCTest

/// The corrupted files of the checker's mutation test (Tests/AssayLanguageTests/MutationTests.swift),
/// opened in the server, with every request asked at random places: no crash, no hang, every
/// request answered.
final class RobustnessTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testCorruptedExperimentsThroughDidOpenNeverCrashOrHang() throws {
        let names = ["colored-fmnist-dfr.yaml", "fv-attacks.yaml", "segmentation.yaml", "waterbirds-dfr.yaml", "architectures.yaml", "dfr-sweep.yaml"]
        let experiments = Self.repository.appendingPathComponent("experiments")
        let texts = try names.map { try String(contentsOf: experiments.appendingPathComponent($0), encoding: .utf8) }
        let client = LSPTestClient()
        var random = SeededRandom(seed: 2024)
        let count = ProcessInfo.processInfo.environment["ASSAY_LSP_MUTATIONS"].flatMap(Int.init) ?? 300
        let methods = ["textDocument/hover", "textDocument/definition", "textDocument/references", "textDocument/completion",
                       "textDocument/documentSymbol", "textDocument/codeAction"]
        for i in 0..<count {
            let k = i % texts.count
            var text = texts[k]
            for _ in 0...random.nextInt(below: 3) { text = ExperimentMutator.mutate(text, &random) }
            // Same folder as the original, so includes and data paths resolve as in the checker's test.
            let uri = experiments.appendingPathComponent("mutated-\(i)-\(names[k])").absoluteString
            client.open(uri, text)
            XCTAssertNotNil(client.diagnostics(uri, timeout: 60), "no diagnostics for mutation \(i):\n\(text)")
            let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
            for method in methods {
                let line = random.nextInt(below: lineCount + 1)
                let character = random.nextInt(below: 60)
                var params = client.position(uri, line, character)
                params["range"] = ["start": ["line": line, "character": character], "end": ["line": line, "character": character + 3]]
                params["context"] = ["diagnostics": [], "includeDeclaration": true]
                let reply = client.request(method, params, timeout: 60)
                XCTAssertNil(reply["error"], "\(method) failed on mutation \(i) at \(line):\(character): \(reply)\n\(text)")
            }
            client.notify("textDocument/didClose", ["textDocument": ["uri": uri]])
        }
        XCTAssertEqual(client.shutdown(), 0)
    }
}
