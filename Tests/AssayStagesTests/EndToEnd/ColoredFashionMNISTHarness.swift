import AssayEngine
import AssayLanguage
import AssayPlanner
import AssayStages
import AssaySupport
import Foundation
import XCTest

/// Runs `experiments/colored-fmnist-dfr.yaml` (optionally edited) through the checker, the
/// planner and the engine on a temporary store, so tests can assert metrics and what ran.
final class ColoredFashionMNISTHarness {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let experiment = repository.appendingPathComponent("experiments/colored-fmnist-dfr.yaml")
    static let fashionMNISTAvailable = FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist")

    /// CI size: 3,000 training images of which 1,000 become `val`, 1,000 test images, 2 epochs.
    static let ciOverrides = [("train-size", "3000"), ("val-size", "1000"), ("test-size", "1000"), ("epochs", "2")]

    let directory: URL
    let store: Store

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-cfmnist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(root: directory.appendingPathComponent(".assay"))
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// The experiment text with each `(old, new)` replacement applied (each must match).
    func experimentText(_ edits: [(String, String)]) throws -> String {
        var text = try String(contentsOf: Self.experiment, encoding: .utf8)
        for (old, new) in edits {
            XCTAssertTrue(text.contains(old), "the experiment no longer contains `\(old)`")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    /// Checks, plans and runs the (edited) experiment; fails the test on any diagnostic or stage failure.
    func run(edits: [(String, String)] = [], overrides: [(String, String)] = ColoredFashionMNISTHarness.ciOverrides,
             threads: Int = 2) throws -> RunResult {
        let file = directory.appendingPathComponent("colored-fmnist-dfr.yaml")
        try experimentText(edits).write(to: file, atomically: true, encoding: .utf8)
        let checked = Checker.check(path: file.path, overrides: overrides)
        guard !checked.hasErrors, let experiment = checked.experiments.first else {
            XCTFail("the experiment does not check: \(checked.diagnostics.map { "\($0)" })")
            throw StageError(stage: "check", "the experiment does not check")
        }
        let plan = try Planner(sources: SourceDigests(cacheFile: nil)).lower(experiment)
        let engine = Engine(store: store, operators: OperatorCatalog.standard)
        let result = try engine.run(plan, options: RunOptions(jobs: 1, threadsPerStage: threads, recordHistory: false))
        for report in result.stages {
            if case .failed(let message) = report.status { XCTFail("stage \(report.stage) failed: \(message)") }
        }
        return result
    }
}
