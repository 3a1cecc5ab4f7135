import AssayEngine
import AssayLanguage
import AssayPlanner
import AssayStages
import AssaySupport
import Foundation
import XCTest

/// Experiments written as text, run through the checker, the planner and the engine on the
/// harness's store: what the operators receive is exactly what `assay run` gives them.
extension StageHarness {
    /// Checks `text` (saved as `name` in the harness folder); fails the test with the rendered
    /// diagnostics when it does not check.
    func check(_ text: String, name: String = "experiment.yaml", overrides: [(String, String)] = [],
               file: StaticString = #filePath, line: UInt = #line) throws -> CheckedExperiment {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        let checked = Checker.check(path: url.path, overrides: overrides)
        guard !checked.hasErrors, let experiment = checked.experiments.first else {
            let rendered = DiagnosticRenderer(sources: checked.sources).renderText(checked.diagnostics)
            XCTFail("the experiment does not check:\n\(rendered)\n\(text)", file: file, line: line)
            throw StageError(stage: "check", "the experiment does not check")
        }
        return experiment
    }

    /// Checks, plans and runs `text`; the run's failures are left to the caller.
    func runExperiment(_ text: String, name: String = "experiment.yaml", overrides: [(String, String)] = [], threads: Int = 2,
                       file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let experiment = try check(text, name: name, overrides: overrides, file: file, line: line)
        let plan = try Planner(sources: SourceDigests(cacheFile: nil)).lower(experiment)
        return try engine.run(plan, options: RunOptions(jobs: 1, threadsPerStage: threads, recordHistory: false))
    }
}
