import AssayEngine
import AssaySupport
import Foundation
import XCTest
@testable import AssayCluster

/// Whole plans submitted to a real cluster up front, with afterok
/// dependencies (see LocalCluster); jobs run this test binary as
/// `assay run-stage --plan … --stage …`.
final class SlurmPlanRunIntegrationTests: XCTestCase {
    private var directory: URL!
    private var client: SlurmClient!

    override func setUpWithError() throws {
        client = try LocalCluster.requireCluster()
        directory = try LocalCluster.scratchDirectory(for: self)
    }

    private func planRun(_ plan: Plan, store: Store) throws -> SlurmPlanRun {
        let configuration = SlurmExecutorConfiguration(
            assayExecutable: try ClusterStageHost.makeStandInExecutable(in: directory),
            defaults: SlurmResources(cpus: 1, memoryMegabytes: 200, timeLimitSeconds: 300), pollInterval: 0.2)
        return try SlurmPlanRun(plan: plan, store: store, configuration: configuration, client: client)
    }

    func testDiamondIsSubmittedAtOnceWithAfterOkAndMatchesALocalRun() throws {
        let plan = try Plan(nodes: [
            TestOperators.node("a", "emit", #"{"text":"a"}"#),
            TestOperators.node("b", "join", #"{"text":"b"}"#, inputs: ["a"]),
            TestOperators.node("c", "join", #"{"text":"c"}"#, inputs: ["a"]),
            TestOperators.node("d", "join", #"{"text":"d"}"#, inputs: ["b", "c"]),
        ])
        let store = try Store(root: directory.appendingPathComponent("slurm-store"))
        // `a` is already cached: only the other three are submitted.
        _ = try Engine(store: store, operators: TestOperators.all).run(try Plan(nodes: [plan["a"]!]), options: RunOptions(recordHistory: false))
        let run = try planRun(plan, store: store)
        XCTAssertEqual(run.uncachedStages(), ["b", "c", "d"])

        let jobs = try run.submit()
        XCTAssertEqual(jobs.map(\.stage), ["b", "c", "d"])
        XCTAssertEqual(jobs[0].afterSuccessOf, [])
        XCTAssertEqual(jobs[1].afterSuccessOf, [])
        XCTAssertEqual(jobs[2].afterSuccessOf, [jobs[0].jobID, jobs[1].jobID])
        let results = run.follow()
        XCTAssertEqual(results.map(\.status.state), [.completed, .completed, .completed])
        for result in results {
            guard case .executed = result.outcome else { return XCTFail("\(result.stage): \(result.outcome)") }
        }
        XCTAssertEqual(run.uncachedStages(), [])

        let slurmStatus = try Engine(store: store, operators: TestOperators.all).status(plan)
        XCTAssertEqual(slurmStatus.stages.map(\.status), [.hit, .hit, .hit, .hit])
        let local = try Engine(store: Store(root: directory.appendingPathComponent("local-store")), operators: TestOperators.all)
            .run(plan, options: RunOptions(recordHistory: false))
        XCTAssertEqual(slurmStatus.stages.map(\.outputs), local.stages.map(\.outputs))
        XCTAssertEqual(slurmStatus.stages.map(\.key), local.stages.map(\.key))
    }

    func testFailedJobsDependentsAreCancelledBySlurmAndReported() throws {
        let plan = try Plan(nodes: [
            TestOperators.node("a", "emit", #"{"text":"a"}"#),
            TestOperators.node("broken", "fail", "{}", inputs: ["a"]),
            TestOperators.node("after", "join", "{}", inputs: ["broken"]),
            TestOperators.node("last", "join", "{}", inputs: ["after", "a"]),
        ])
        let run = try planRun(plan, store: Store(root: directory.appendingPathComponent("store")))
        try run.submit()
        let results = run.follow()
        XCTAssertEqual(results.map(\.stage), ["a", "broken", "after", "last"])
        XCTAssertEqual(results.map(\.status.state), [.completed, .failed, .cancelled, .cancelled])
        XCTAssertEqual(results.map(\.skippedBecause), [nil, nil, "broken", "broken"])
        guard case .failed(let message) = results[1].outcome else { return XCTFail("\(results[1].outcome)") }
        XCTAssertTrue(message.contains("Slurm job \(results[1].jobID) failed (exit status 1)"), message)
        XCTAssertTrue(message.contains("fail operator: about to fail"), message)
    }

    func testCancelledPlanLeavesNoJobBehind() throws {
        let plan = try Plan(nodes: [
            TestOperators.node("slow1", "slow", #"{"n":1}"#),
            TestOperators.node("slow2", "slow", #"{"n":2}"#),
            TestOperators.node("after", "join", "{}", inputs: ["slow1", "slow2"]),
        ])
        let run = try planRun(plan, store: Store(root: directory.appendingPathComponent("store")))
        let jobs = try run.submit()
        var running = Set<SlurmJobID>()
        let results = run.follow(isCancelled: { running.count == 2 }) { job, status in
            if status.state == .running { running.insert(job.jobID) }
        }
        XCTAssertEqual(results.map(\.status.state), [.cancelled, .cancelled, .cancelled])
        XCTAssertEqual(results.map(\.outcome), [.cancelled, .cancelled, .cancelled])
        let left = try client.queue(jobs.map(\.jobID)).values.filter { !$0.state.isFinished }
        XCTAssertEqual(left, [])
        // The running stages saw scancel's SIGTERM and stopped as cancelled
        // (the file may land just after Slurm reports the job ended).
        for job in jobs.prefix(2) {
            let deadline = Date().addingTimeInterval(10)
            var report: StageOutcomeReport?
            while report == nil && Date() < deadline {
                report = try StageOutcomeReport.read(from: job.outcomePath)
                if report == nil { Thread.sleep(forTimeInterval: 0.1) }
            }
            XCTAssertEqual(report?.kind, .cancelled, job.stage)
        }
    }
}
