import AssayLanguage
import AssaySupport
import AssaySyntax
import Foundation
import XCTest

/// Each `Golden/NAME.yaml` is checked and its rendered diagnostics compared with `Golden/NAME.expected`.
///
/// A first-line comment may set options: `# args: -p name=value`, `# limits: max-bytes=N` or
/// `# memory: BYTES` (the machine's memory the checker bounds stages by; the real one otherwise).
/// Regenerate with `ASSAY_UPDATE_GOLDEN=1 swift test --filter GoldenDiagnosticsTests`, then review the diff.
final class GoldenDiagnosticsTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func cases() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Checks one golden input and renders its diagnostics with paths relative to `Golden/`.
    static func render(_ url: URL) -> (text: String, ids: Set<MessageID>) {
        let bytes = (try? Data(contentsOf: url)).map { [UInt8]($0) } ?? []
        let firstLine = String(decoding: bytes.prefix { $0 != 0x0A }, as: UTF8.self)
        var overrides: [(String, String)] = []
        var limits = YAMLParseLimits.standard
        if firstLine.hasPrefix("# args:") {
            let words = firstLine.dropFirst("# args:".count).split(separator: " ", maxSplits: 1)
            if words.count == 2, words[0] == "-p", let eq = words[1].firstIndex(of: "=") {
                overrides.append((String(words[1][..<eq]), String(words[1][words[1].index(after: eq)...])))
            }
        }
        if firstLine.hasPrefix("# limits: max-bytes="), let n = Int(firstLine.dropFirst("# limits: max-bytes=".count)) {
            limits.maxBytes = n
        }
        var machine = MachineLimits.current
        if firstLine.hasPrefix("# memory: "), let n = Int(firstLine.dropFirst("# memory: ".count)) { machine.memoryBytes = n }
        let result = Checker.check(path: url.path, overrides: overrides, limits: limits, machine: machine)
        let text = DiagnosticRenderer(sources: result.sources).renderText(result.diagnostics)
        let prefix = directory.path + "/"
        return (text.replacingOccurrences(of: prefix, with: "Golden/"), Set(result.diagnostics.map(\.id)))
    }

    func testRenderedDiagnosticsMatchGoldenFiles() throws {
        let update = ProcessInfo.processInfo.environment["ASSAY_UPDATE_GOLDEN"] == "1"
        for url in try Self.cases() {
            let (text, _) = Self.render(url)
            let expectedURL = url.deletingPathExtension().appendingPathExtension("expected")
            if update {
                try text.write(to: expectedURL, atomically: true, encoding: .utf8)
                continue
            }
            let expected = (try? String(contentsOf: expectedURL, encoding: .utf8)) ?? "<missing \(expectedURL.lastPathComponent)>"
            XCTAssertEqual(text, expected, "\(url.lastPathComponent): rendered diagnostics differ from the golden file")
        }
    }

    func testEveryCatalogueIDHasAGoldenFileThatReportsIt() throws {
        let cases = try Self.cases()
        for (id, _) in DiagnosticCatalogue.entries where id != "file-not-found" {
            guard let url = cases.first(where: { $0.deletingPathExtension().lastPathComponent == id.rawValue }) else {
                XCTFail("no golden file Golden/\(id).yaml")
                continue
            }
            let (_, ids) = Self.render(url)
            XCTAssertTrue(ids.contains(id), "Golden/\(id).yaml does not report \(id); it reports \(ids.sorted())")
        }
    }

    func testEveryIDUsedInTheSourcesIsInTheCatalogue() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let pattern = try NSRegularExpression(pattern: #"(?:error|fail|unknown|warning)\(\s*"([a-z0-9-]+)""#)
        for folder in ["Sources/AssaySyntax", "Sources/AssayLanguage"] {
            let dir = root.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let id = MessageID((text as NSString).substring(with: match.range(at: 1)))
                    XCTAssertTrue(DiagnosticCatalogue.ids.contains(id), "\(file) uses `\(id)`, which is not in DiagnosticCatalogue")
                }
            }
        }
    }

    func testCatalogueIsSortedAndUnique() {
        let ids = DiagnosticCatalogue.entries.map(\.id.rawValue)
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(Set(ids).count, ids.count)
    }

    func testMissingFileIsReportedWithoutASpan() {
        let result = Checker.check(path: "/nonexistent/experiment.yaml")
        XCTAssertEqual(result.diagnostics.map(\.id), ["file-not-found"])
        XCTAssertTrue(result.experiments.isEmpty)
    }
}
