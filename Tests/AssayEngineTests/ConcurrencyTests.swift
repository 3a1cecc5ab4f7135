import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

final class ConcurrencyTests: XCTestCase {
    /// A real process takes the stage's lock exactly as a run would, starts writing the stage's
    /// output in a work directory, and is killed with SIGKILL. The next run must not need any
    /// cleanup: it waits while the process lives, then runs the stage and publishes whole files.
    func testRunAfterAProcessKilledMidStageSucceedsWithoutCleanup() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.chain(2)
        let first = plan.nodes[0]
        let key = StageKey.compute(operatorName: first.operatorName, operatorVersion: first.operatorVersion, parameters: first.parameters, inputs: [])
        let lockPath = fixture.store.locksPath + "/" + key.hex + ".lock"
        let workPath = fixture.store.temporaryPath + "/" + key.hex + ".99999.1.1"

        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", #"exec 9>"$1"; flock -x 9; mkdir -p "$2"; printf partial > "$2/output.out"; echo ready; exec sleep 60"#, "sh", lockPath, workPath]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let ready = pipe.fileHandleForReading.availableData
        XCTAssertEqual(String(decoding: ready, as: UTF8.self), "ready\n")

        let events = EventLog()
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        let engine = fixture.engine()
        Thread.detachNewThread {
            box.set(Result { try engine.run(plan, observer: events.observer) })
            done.signal()
        }
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(fixture.executed(), [], "the stage waits while the other process holds its lock")
        XCTAssertTrue(events.all.contains(.stageWaitingForLock(point: "", stage: "s0", key: key)))

        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        let result = try XCTUnwrap(box.value).get()
        XCTAssertEqual(result.status, .succeeded)
        XCTAssertEqual(fixture.executed(), ["s0", "s1"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: workPath), "the dead process's half-written work directory is gone")
        for report in result.stages {
            for digest in report.outputs.values { XCTAssertTrue(try fixture.store.verifyObject(digest)) }
        }
    }

    func testTwoConcurrentRunsOnOneStoreExecuteEachStageOnce() throws {
        let fixture = try EngineFixture()
        let slow = ClosureOperator { [fixture] node, inputs, context in
            fixture.record(node.id)
            Thread.sleep(forTimeInterval: 0.05)
            var bytes = node.parameters
            for slot in inputs.keys.sorted() { bytes += [UInt8](try inputs[slot]!.read()) }
            try Data(bytes).write(to: context.output(named: "out"))
            return StageResult()
        }
        var nodes = EngineFixture.diamondNodes()
        for i in nodes.indices { nodes[i].operatorName = "slow" }
        let plan = try Plan(nodes: nodes)
        let boxes = [ResultBox(), ResultBox()]
        let group = DispatchGroup()
        for box in boxes {
            // Separate store and engine instances: as two `assay run` processes would have.
            let store = try Store(root: fixture.store.root)
            let engine = Engine(store: store, operators: ["slow": slow])
            group.enter()
            Thread.detachNewThread {
                box.set(Result { try engine.run(plan, options: RunOptions(jobs: 2)) })
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 20), .success)
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "d", "e"])
        let results = try boxes.map { try XCTUnwrap($0.value).get() }
        for r in results { XCTAssertEqual(r.status, .succeeded) }
        XCTAssertEqual(results[0].report(stage: "e")?.outputs, results[1].report(stage: "e")?.outputs)
        XCTAssertEqual(results[0].executed.count + results[1].executed.count, 5)
        XCTAssertEqual(try fixture.store.openHistory().recentRuns().count, 2)
    }

    func testCancelStopsCleanlyAndTheNextRunResumes() throws {
        let fixture = try EngineFixture()
        let started = DispatchSemaphore(value: 0)
        let patient = ClosureOperator { [fixture] node, _, context in
            fixture.record(node.id)
            started.signal()
            while true {
                try context.checkCancelled()
                if node.parametersJSON.contains("quick") { break }
                usleep(1000)
            }
            try Data(node.parameters).write(to: context.output(named: "out"))
            return StageResult()
        }
        func plan(_ quick: Bool) throws -> Plan {
            var nodes = EngineFixture.diamondNodes()
            nodes[1].operatorName = "patient"
            nodes[1].parameters = Array((quick ? "{\"quick\":1}" : "{\"slow\":1}").utf8)
            return try Plan(nodes: nodes)
        }
        let engine = fixture.engine(operators: ["patient": patient])
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let cancellable = try plan(false)
        Thread.detachNewThread {
            box.set(Result { try engine.run(cancellable, options: RunOptions(jobs: 1)) })
            done.signal()
        }
        XCTAssertEqual(started.wait(timeout: .now() + 5), .success)
        engine.cancel()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        let result = try XCTUnwrap(box.value).get()
        XCTAssertEqual(result.status, .cancelled)
        XCTAssertEqual(result.report(stage: "a")?.status, .executed)
        XCTAssertEqual(result.report(stage: "b")?.status, .cancelled)
        XCTAssertEqual(result.report(stage: "c")?.status, .cancelled)
        let ranBefore = Set(fixture.executed())
        XCTAssertTrue(ranBefore.isSuperset(of: ["a", "b"]))

        let resumed = try engine.run(try plan(true))
        XCTAssertEqual(resumed.status, .succeeded)
        let ranAfter = Set(fixture.executed())
        XCTAssertFalse(ranAfter.contains("a"), "completed work is kept")
        XCTAssertTrue(ranAfter.isSuperset(of: ["b", "c"]))
        XCTAssertEqual(try fixture.store.openHistory().run(result.runID).summary.status, "cancelled")
    }

    func testInterruptedStageResumesFromItsCheckpoint() throws {
        let fixture = try EngineFixture()
        let steps = StepLog()
        let engineBox = EngineBox()
        let trainer = ClosureOperator { node, _, context in
            var step = 0
            if let saved = try context.loadCheckpoint() { step = Int(String(decoding: saved, as: UTF8.self))! }
            while step < 5 {
                try context.checkCancelled()
                steps.append(step)
                step += 1
                try context.saveCheckpoint(Data("\(step)".utf8))
                context.report(fraction: Double(step) / 5, message: "step \(step)", metrics: ["loss": 1 / Double(step)])
                if step == 3 && steps.count == 3 { engineBox.engine?.cancel() }
            }
            try Data("trained".utf8).write(to: context.output(named: "weights"))
            return StageResult(metrics: ["steps": Double(step)])
        }
        let plan = try Plan(nodes: [PlanNode(id: "train", operatorName: "train", parametersJSON: "{}", outputs: ["weights"])])
        let engine = fixture.engine(operators: ["train": trainer])
        engineBox.engine = engine
        let events = EventLog()
        let first = try engine.run(plan, observer: events.observer)
        XCTAssertEqual(first.status, .cancelled)
        XCTAssertEqual(steps.values, [0, 1, 2])
        XCTAssertTrue(events.all.contains { if case .stageProgress(_, "train", let p) = $0 { return p.message == "step 2" } else { return false } })
        let second = try engine.run(plan)
        XCTAssertEqual(second.status, .succeeded)
        XCTAssertEqual(steps.values, [0, 1, 2, 3, 4], "resumed at step 3")
        let key = try XCTUnwrap(second.report(stage: "train")?.key)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.store.checkpointDirectory(for: key)), "checkpoint removed on success")
        engineBox.engine = nil  // the operator holds the box: break the cycle so the fixture is removed
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Result<RunResult, Error>?
    func set(_ value: Result<RunResult, Error>) { lock.lock(); stored = value; lock.unlock() }
    var value: Result<RunResult, Error>? { lock.lock(); defer { lock.unlock() }; return stored }
}

final class StepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int] = []
    func append(_ v: Int) { lock.lock(); stored.append(v); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return stored }
    var count: Int { values.count }
}

final class EngineBox: @unchecked Sendable {
    var engine: Engine?
}
