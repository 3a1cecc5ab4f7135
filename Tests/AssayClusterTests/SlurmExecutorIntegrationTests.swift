import AssayEngine
import AssaySupport
import Foundation
import XCTest
@testable import AssayCluster

/// The engine running plans through the Slurm executor on a real cluster
/// (see LocalCluster), each job running this test binary as `assay run-stage`.
final class SlurmExecutorIntegrationTests: XCTestCase {
    private var directory: URL!
    private var client: SlurmClient!

    override func setUpWithError() throws {
        client = try LocalCluster.requireCluster()
        directory = try LocalCluster.scratchDirectory(for: self)
    }

    private func slurmEngine(store: Store) throws -> (Engine, SlurmExecutor) {
        let configuration = SlurmExecutorConfiguration(
            assayExecutable: try ClusterStageHost.makeStandInExecutable(in: directory),
            defaults: SlurmResources(memoryMegabytes: 200, timeLimitSeconds: 300), pollInterval: 0.2)
        let executor = try SlurmExecutor(store: store, configuration: configuration, client: client)
        return (Engine(store: store, operators: TestOperators.all, executor: executor), executor)
    }

    private let diamond = [
        TestOperators.node("a", "emit", #"{"text":"a"}"#),
        TestOperators.node("b", "join", #"{"text":"b"}"#, inputs: ["a"]),
        TestOperators.node("c", "join", #"{"text":"c"}"#, inputs: ["a"], resources: ["cpus": "1", "memory": "150M", "time": "5m"]),
        TestOperators.node("d", "join", #"{"text":"d"}"#, inputs: ["b", "c"]),
    ]

    func testPlanRunsOnSlurmWithTheSameDigestsAsALocalRunAndRerunsNothing() throws {
        let plan = try Plan(nodes: diamond)
        let store = try Store(root: directory.appendingPathComponent("slurm-store"))
        let (engine, executor) = try slurmEngine(store: store)
        let result = try engine.run(plan, options: RunOptions(jobs: 4, recordHistory: false))
        XCTAssertEqual(result.status, .succeeded, "\(result.stages.map(\.status))")
        XCTAssertEqual(result.stages.map(\.status), [.executed, .executed, .executed, .executed])
        XCTAssertEqual(executor.submissions.map(\.stage).sorted(), ["a", "b", "c", "d"])
        XCTAssertEqual(Set(executor.submissions.map(\.jobID)).count, 4)
        XCTAssertEqual(executor.submissions.first { $0.stage == "c" }?.resources, SlurmResources(cpus: 1, memoryMegabytes: 150, timeLimitSeconds: 300))

        let localStore = try Store(root: directory.appendingPathComponent("local-store"))
        let local = try Engine(store: localStore, operators: TestOperators.all).run(plan, options: RunOptions(jobs: 2, recordHistory: false))
        XCTAssertEqual(local.status, .succeeded)
        XCTAssertEqual(result.stages.map(\.outputs), local.stages.map(\.outputs))
        let d = try XCTUnwrap(result.stages.last?.outputs["out"])
        XCTAssertEqual(String(decoding: try store.readObject(d), as: UTF8.self), #"{"text":"a"}{"text":"b"}{"text":"a"}{"text":"c"}{"text":"d"}"#)

        let (again, secondExecutor) = try slurmEngine(store: store)
        let rerun = try again.run(plan, options: RunOptions(jobs: 4, recordHistory: false))
        XCTAssertEqual(rerun.stages.map(\.status), [.hit, .hit, .hit, .hit])
        XCTAssertEqual(secondExecutor.submissions, [])
    }

    func testFailedStageIsReportedWithItsOutputAndItsDependentsAreSkipped() throws {
        let plan = try Plan(nodes: [
            TestOperators.node("a", "emit", #"{"text":"a"}"#),
            TestOperators.node("broken", "fail", "{}", inputs: ["a"]),
            TestOperators.node("after", "join", "{}", inputs: ["broken"]),
        ])
        let store = try Store(root: directory.appendingPathComponent("store"))
        let (engine, executor) = try slurmEngine(store: store)
        let result = try engine.run(plan, options: RunOptions(jobs: 4, recordHistory: false))
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.stages.map(\.stage), ["a", "broken", "after"])
        XCTAssertEqual(result.stages[0].status, .executed)
        XCTAssertEqual(result.stages[2].status, .skipped(because: "broken"))
        guard case .failed(let message) = result.stages[1].status else { return XCTFail("\(result.stages[1].status)") }
        let jobID = try XCTUnwrap(executor.submissions.first { $0.stage == "broken" }?.jobID)
        XCTAssertTrue(message.contains("Slurm job \(jobID) failed (exit status 1)"), message)
        XCTAssertTrue(message.contains("deliberate failure of broken"), message)
        XCTAssertTrue(message.contains("fail operator: about to fail"), message)
        XCTAssertFalse(executor.submissions.contains { $0.stage == "after" })
    }

    func testCancelledRunLeavesNoJobBehind() throws {
        let plan = try Plan(nodes: [
            TestOperators.node("slow1", "slow", #"{"n":1}"#),
            TestOperators.node("slow2", "slow", #"{"n":2}"#),
            TestOperators.node("after", "join", "{}", inputs: ["slow1", "slow2"]),
        ])
        let store = try Store(root: directory.appendingPathComponent("store"))
        let (engine, executor) = try slurmEngine(store: store)
        let finished = expectation(description: "run returns")
        let box = ResultBox()
        Thread.detachNewThread {
            box.result = try? engine.run(plan, options: RunOptions(jobs: 4, recordHistory: false))
            finished.fulfill()
        }
        let deadline = Date().addingTimeInterval(30)
        while try runningJobs(of: executor).count < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertEqual(try runningJobs(of: executor).count, 2)

        engine.cancel()
        wait(for: [finished], timeout: 60)
        XCTAssertEqual(box.result?.status, .cancelled)
        XCTAssertEqual(box.result?.stages.map(\.status), [.cancelled, .cancelled, .cancelled])
        let ids = executor.submissions.map(\.jobID)
        XCTAssertEqual(ids.count, 2)
        let left = try client.queue(ids).values.filter { !$0.state.isFinished }
        XCTAssertEqual(left, [])
    }

    private func runningJobs(of executor: SlurmExecutor) throws -> [SlurmQueueEntry] {
        try client.queue(executor.submissions.map(\.jobID)).values.filter { $0.state == .running }
    }
}

private final class ResultBox: @unchecked Sendable {
    var result: RunResult?
}
