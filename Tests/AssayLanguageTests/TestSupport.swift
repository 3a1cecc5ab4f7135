import AssayLanguage
import AssaySupport
import Foundation

/// Paths of the repository, found from this file's location.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var experiments: URL { root.appendingPathComponent("experiments") }

    static func experiment(_ name: String) -> URL { experiments.appendingPathComponent(name) }

    static func text(_ name: String) throws -> String { try String(contentsOf: experiment(name), encoding: .utf8) }
}

/// Checks text as if it were the file `name` in `experiments/` (so relative paths and includes resolve).
func checkText(_ text: String, as name: String = "inline.yaml", overrides: [(String, String)] = []) -> CheckResult {
    Checker.check(source: SourceFile(path: Repository.experiment(name).path, text: text), overrides: overrides)
}
