import AssayLSP
import AssaySupport
import Foundation
import XCTest

/// The corrupted files of the checker's mutation test (Tests/AssayLanguageTests/MutationTests.swift),
/// opened in the server, with every request asked at random places: no crash, no hang, every
/// request answered.
final class RobustnessTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The checker's mutation operators (test targets cannot share code, so they are repeated here
    /// with the same seed and alphabet).
    static let alphabet = Array("abcxyz019:-[]{},.&*!|>'\"#$ \n\t?<=@%é\u{0}".unicodeScalars).map { String($0) }

    static func mutate(_ text: String, _ random: inout SeededRandom) -> String {
        var lines = text.components(separatedBy: "\n")
        var chars = Array(text)
        switch random.nextInt(below: 8) {
        case 0 where !chars.isEmpty:
            chars.remove(at: random.nextInt(below: chars.count))
            return String(chars)
        case 1:
            chars.insert(contentsOf: alphabet[random.nextInt(below: alphabet.count)], at: random.nextInt(below: chars.count + 1))
            return String(chars)
        case 2 where !lines.isEmpty:
            lines.remove(at: random.nextInt(below: lines.count))
        case 3 where !lines.isEmpty:
            let i = random.nextInt(below: lines.count)
            lines.insert(lines[i], at: i)
        case 4 where lines.count > 1:
            let i = random.nextInt(below: lines.count), j = random.nextInt(below: lines.count)
            lines.swapAt(i, j)
        case 5 where !lines.isEmpty:
            let i = random.nextInt(below: lines.count)
            lines[i] = random.nextInt(below: 2) == 0 ? "  " + lines[i] : String(lines[i].drop { $0 == " " })
        case 6:
            let words = ["0", "-1", "2.5", "1e9", "conv1", "fmnist.test", "true", "[]", "{}", "null", "erm", "x",
                         "99999999999999999999", "9223372036854775807", "1e308", ".nan", "$seed", "${x}"]
            if let range = text.range(of: #"[A-Za-z0-9.\-]+"#, options: .regularExpression, range: text.index(text.startIndex, offsetBy: random.nextInt(below: max(1, text.count)))..<text.endIndex) {
                return text.replacingCharacters(in: range, with: words[random.nextInt(below: words.count)])
            }
        default:
            let cut = random.nextInt(below: chars.count + 1)
            return String(chars[..<cut])
        }
        return lines.joined(separator: "\n")
    }

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
            for _ in 0...random.nextInt(below: 3) { text = Self.mutate(text, &random) }
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
