import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

/// An executor shaped like a cluster one: each job crosses a process boundary as JSON, runs
/// against its own `Store` instance on the same directory, and reports an external job id.
final class SerializingExecutor: StageExecutor, @unchecked Sendable {
    let capacity = 2
    private let root: URL
    private let operators: [String: any StageOperator]
    private let lock = NSLock()
    private var finished: [JobID: StageOutcome] = [:]
    private var next = 0
    private(set) var submittedJSON: [String] = []

    init(root: URL, operators: [String: any StageOperator]) {
        self.root = root
        self.operators = operators
    }

    func submit(_ job: StageJob, events: @escaping @Sendable (ExecutorEvent) -> Void) throws -> JobID {
        let json = try JSONEncoder().encode(job)
        lock.lock()
        next += 1
        let id = JobID(next)
        submittedJSON.append(String(decoding: json, as: UTF8.self))
        lock.unlock()
        events(.submitted(externalID: "remote-\(id.value)"))
        // The "remote" side: decode the job, open the store afresh, run one stage.
        let remoteJob = try JSONDecoder().decode(StageJob.self, from: json)
        let outcome = StageRunner(store: try Store(root: root), operators: operators).execute(remoteJob)
        // A remote executor learns only success or failure; the result is read back from the store.
        let reported: StageOutcome
        if case .executed = outcome, let record = try Store(root: root).actionRecord(for: job.key) {
            reported = .executed(record)
        } else {
            reported = outcome
        }
        lock.lock()
        finished[id] = reported
        lock.unlock()
        return id
    }

    func poll(_ id: JobID) -> JobStatus {
        lock.lock()
        defer { lock.unlock() }
        return finished[id].map { .finished($0) } ?? .running
    }

    func cancel(_ id: JobID) {}
    func waitForChange(timeout: Double) {}
}

final class StageExecutorTests: XCTestCase {
    func testJobsThatCrossAProcessBoundaryAsJSONProduceTheSameResults() throws {
        let local = try EngineFixture()
        let expected = try local.engine().run(try EngineFixture.diamond())

        let fixture = try EngineFixture()
        let executor = SerializingExecutor(root: fixture.store.root, operators: fixture.operators)
        let engine = Engine(store: fixture.store, operators: fixture.operators, executor: executor)
        let result = try engine.run(try EngineFixture.diamond(), options: RunOptions(jobs: 2))
        XCTAssertEqual(result.status, .succeeded)
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "d", "e"])
        for stage in ["a", "b", "c", "d", "e"] {
            XCTAssertEqual(result.report(stage: stage)?.outputs, expected.report(stage: stage)?.outputs, stage)
        }
        XCTAssertEqual(executor.submittedJSON.count, 5)
        let history = try fixture.store.openHistory().run(result.runID)
        XCTAssertEqual(Set(history.stages.compactMap(\.executorJobID)), ["remote-1", "remote-2", "remote-3", "remote-4", "remote-5"])

        _ = try fixture.engine().run(try EngineFixture.diamond())
        XCTAssertEqual(fixture.executed(), [], "a local run reuses what the remote jobs published")
    }

    func testRunnerFindsAResultPublishedWhileItWaited() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.chain(1)
        let node = plan.nodes[0]
        let key = StageKey.compute(operatorName: node.operatorName, operatorVersion: node.operatorVersion, parameters: node.parameters, inputs: [])
        let job = StageJob(node: node, key: key, inputs: [:], threads: 1, force: false)
        let runner = StageRunner(store: fixture.store, operators: fixture.operators)
        guard case .executed(let record) = runner.execute(job) else { return XCTFail("first execution") }
        guard case .foundCached(let again) = runner.execute(job) else { return XCTFail("second execution should find the record") }
        XCTAssertEqual(record, again)
        XCTAssertEqual(fixture.executed(), ["s0"])
    }
}
