import AssayEngine
import AssaySupport
import Foundation
import XCTest
@testable import AssayCluster

/// Plan submission without a cluster: what is submitted, in which order,
/// with which dependencies (the cluster tests are in
/// SlurmPlanRunIntegrationTests).
final class SlurmPlanRunTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("plan-run-\(UUID().uuidString)")
        addTeardownBlock { [root] in try? FileManager.default.removeItem(at: root!) }
    }

    private let plan = try! Plan(nodes: [
        TestOperators.node("a", "emit", #"{"text":"a"}"#),
        TestOperators.node("b", "join", #"{"text":"b"}"#, inputs: ["a"]),
        TestOperators.node("c", "join", #"{"text":"c"}"#, inputs: ["b", "a"]),
    ])

    func testUncachedStagesAreTheMissesAndEverythingDownstream() throws {
        let store = try Store(root: root)
        let configuration = SlurmExecutorConfiguration(assayExecutable: "assay", jobDirectory: root.appendingPathComponent("jobs"))
        let run = try SlurmPlanRun(plan: plan, store: store, configuration: configuration, client: SlurmClient(runner: ScriptedCommandRunner()))
        XCTAssertEqual(run.uncachedStages(), ["a", "b", "c"])
        _ = try Engine(store: store, operators: TestOperators.all).run(try Plan(nodes: [plan["a"]!]), options: RunOptions(recordHistory: false))
        XCTAssertEqual(run.uncachedStages(), ["b", "c"])
        _ = try Engine(store: store, operators: TestOperators.all).run(plan, options: RunOptions(recordHistory: false))
        XCTAssertEqual(run.uncachedStages(), [])
    }

    func testPlanSubmissionChainsAfterOkAndCancelsWhatItSubmittedWhenOneFails() throws {
        let runner = ScriptedCommandRunner()
        runner.answer("sbatch", with: CommandResult(status: 0, standardOutput: "10\n"))
        runner.answer("sbatch", with: CommandResult(status: 0, standardOutput: "11\n"))
        runner.answer("sbatch", with: CommandResult(status: 1, standardOutput: "", standardError: "sbatch: error: QOSMaxSubmitJobPerUserLimit"))
        runner.answer("scancel", with: CommandResult(status: 0, standardOutput: ""))
        let configuration = SlurmExecutorConfiguration(assayExecutable: "assay", jobDirectory: root.appendingPathComponent("jobs"))
        let run = try SlurmPlanRun(plan: plan, store: Store(root: root), configuration: configuration, client: SlurmClient(runner: runner))
        XCTAssertThrowsError(try run.submit()) { error in
            XCTAssertTrue("\(error)".contains("QOSMaxSubmitJobPerUserLimit"), "\(error)")
        }
        let sbatches = runner.commands.filter { $0[0] == "sbatch" }
        XCTAssertFalse(sbatches[0].contains { $0.hasPrefix("--dependency") })
        XCTAssertTrue(sbatches[1].contains("--dependency=afterok:10"))
        XCTAssertTrue(sbatches[2].contains("--dependency=afterok:11:10"))
        XCTAssertTrue(sbatches.allSatisfy { $0.contains("--kill-on-invalid-dep=yes") })
        XCTAssertEqual(Set(runner.commands.last!.dropFirst(3)), ["10", "11"])
        XCTAssertEqual(runner.commands.last!.prefix(3), ["scancel", "--full", "--quiet"])
    }
}
