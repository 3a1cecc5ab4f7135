import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

final class EngineTests: XCTestCase {
    func testFirstRunExecutesEverythingAndSecondRunIsAllHits() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        let first = try fixture.engine().run(plan)
        XCTAssertEqual(first.status, .succeeded)
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "d", "e"])

        let second = try fixture.engine().run(plan)
        XCTAssertEqual(second.status, .succeeded)
        XCTAssertEqual(fixture.executed(), [])
        XCTAssertEqual(second.hits.sorted(), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(second.report(stage: "c")?.outputs, first.report(stage: "c")?.outputs)
        XCTAssertEqual(second.report(stage: "c")?.metrics, first.report(stage: "c")?.metrics, "hits report the recorded metrics")
    }

    func testChangingOneParameterRerunsExactlyItsDownstreamStages() throws {
        let fixture = try EngineFixture()
        _ = try fixture.engine().run(try EngineFixture.diamond())
        _ = fixture.executed()
        _ = try fixture.engine().run(try EngineFixture.diamond(parameters: ["b": "{\"name\":\"b\",\"epochs\":3}"]))
        XCTAssertEqual(fixture.executed(), ["b", "c"])
        _ = try fixture.engine().run(try EngineFixture.diamond(parameters: ["a": "{\"name\":\"a2\"}"]))
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "e"])
    }

    func testUnrelatedChangeReRunsNothing() throws {
        let fixture = try EngineFixture()
        _ = try fixture.engine().run(try EngineFixture.diamond())
        _ = fixture.executed()
        // The red herring: a new stage nobody reads, and resources (not part of any key) changed.
        var nodes = EngineFixture.diamondNodes()
        nodes[1].resources = ["cpus": "8"]
        let extra = PlanNode(id: "z", operatorName: "concat", parametersJSON: "{}", outputs: ["out"])
        let result = try fixture.engine().run(try Plan(nodes: nodes + [extra]))
        XCTAssertEqual(fixture.executed(), ["z"])
        XCTAssertEqual(result.hits.sorted(), ["a", "b", "c", "d", "e"])
    }

    func testBumpingOperatorVersionRerunsItAndItsDependents() throws {
        let fixture = try EngineFixture()
        _ = try fixture.engine().run(try EngineFixture.diamond())
        _ = fixture.executed()
        // concat's output includes the parameters, not the version: b's bytes stay equal, so c is
        // cut off; d's version bump changes nothing downstream either. Use a version-sensitive op.
        let versioned = ClosureOperator { [fixture] node, inputs, context in
            fixture.record(node.id)
            var bytes = Array("v\(node.operatorVersion)".utf8)
            for slot in inputs.keys.sorted() { bytes += [UInt8](try inputs[slot]!.read()) }
            try Data(bytes).write(to: context.output(named: "out"))
            return StageResult()
        }
        var nodes = EngineFixture.diamondNodes()
        nodes[0].operatorName = "versioned"
        _ = try fixture.engine(operators: ["versioned": versioned]).run(try Plan(nodes: nodes))
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "e"], "operator changed")
        nodes[0].operatorVersion = 2
        _ = try fixture.engine(operators: ["versioned": versioned]).run(try Plan(nodes: nodes))
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "e"], "version bump reruns a and, as its bytes change, its dependents")
    }

    func testEarlyCutoffWhenARerunProducesIdenticalBytes() throws {
        let fixture = try EngineFixture()
        func plan(_ note: String) throws -> Plan {
            try Plan(nodes: [
                PlanNode(id: "source", operatorName: "constant", parametersJSON: "{\"note\":\"\(note)\",\"value\":7}", outputs: ["out"]),
                PlanNode(id: "user", operatorName: "concat", parametersJSON: "{}", inputs: [PlanInput(slot: "x", node: "source", output: "out")], outputs: ["out"]),
            ])
        }
        _ = try fixture.engine().run(try plan("first"))
        XCTAssertEqual(fixture.executed(), ["source", "user"])
        let result = try fixture.engine().run(try plan("second"))
        XCTAssertEqual(fixture.executed(), ["source"], "source reruns, writes the same bytes, user is a hit")
        XCTAssertEqual(result.report(stage: "user")?.status, .hit)
        XCTAssertEqual(result.report(stage: "source")?.sameOutputsAsLastRun, true)
        let changed = try fixture.engine().run(try Plan(nodes: [
            PlanNode(id: "source", operatorName: "constant", parametersJSON: "{\"value\":8}", outputs: ["out"]),
        ]))
        XCTAssertEqual(changed.report(stage: "source")?.sameOutputsAsLastRun, false)
    }

    func testForceRerunsTheStageAndFromRerunsEverythingDownstream() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        _ = try fixture.engine().run(plan)
        _ = fixture.executed()
        _ = try fixture.engine().run(plan, options: RunOptions(force: ["a"]))
        XCTAssertEqual(fixture.executed(), ["a"], "same bytes: dependents are cut off")
        _ = try fixture.engine().run(plan, options: RunOptions(from: ["a"]))
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "e"])
        XCTAssertThrowsError(try fixture.engine().run(plan, options: RunOptions(force: ["nope"])))
    }

    func testOnlyRunsOneStageAndRequiresItsInputsCached() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        XCTAssertThrowsError(try fixture.engine().run(plan, options: RunOptions(only: "b"))) { error in
            XCTAssertEqual(error as? EngineError, .onlyNeedsCachedInputs(stage: "b", missing: ["a"]))
        }
        XCTAssertEqual(fixture.executed(), [])
        _ = try fixture.engine().run(plan, options: RunOptions(only: "a"))
        XCTAssertEqual(fixture.executed(), ["a"])
        let result = try fixture.engine().run(plan, options: RunOptions(only: "b"))
        XCTAssertEqual(fixture.executed(), ["b"])
        XCTAssertEqual(result.report(stage: "c")?.status, .notSelected)
    }

    func testDryRunExecutesNothingAndKnowsWhichKeysAreKnown() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        _ = try fixture.engine().run(try Plan(nodes: Array(EngineFixture.diamondNodes()[0...1])))
        _ = fixture.executed()
        let dry = try fixture.engine().run(plan, options: RunOptions(dryRun: true))
        XCTAssertEqual(fixture.executed(), [])
        XCTAssertEqual(dry.status, .planned)
        XCTAssertEqual(dry.report(stage: "b")?.status, .hit)
        XCTAssertEqual(dry.report(stage: "c")?.status, .wouldRun)
        XCTAssertNotNil(dry.report(stage: "c")?.key, "c's inputs are cached, so its key is known")
        XCTAssertEqual(dry.report(stage: "e")?.status, .wouldRun)
        XCTAssertNil(dry.report(stage: "e")?.key, "e reads d, which has not run")
    }

    func testKeepGoingStopsOnlyTheDependentsOfAFailure() throws {
        let fixture = try EngineFixture()
        fixture.failing = ["a"]
        let events = EventLog()
        let result = try fixture.engine().run(try EngineFixture.diamond(), options: RunOptions(jobs: 2), observer: events.observer)
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(fixture.executed(), ["a", "d"])
        XCTAssertEqual(result.failed, ["a"])
        XCTAssertEqual(result.skipped, ["b": "a", "c": "a", "e": "a"])
        XCTAssertTrue(events.all.contains(.stageSkipped(point: "", stage: "c", because: "a")))
        fixture.failing = []
        _ = try fixture.engine().run(try EngineFixture.diamond())
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "e"], "d stayed cached")
    }

    func testWithoutKeepGoingNothingNewStartsAfterAFailure() throws {
        let fixture = try EngineFixture()
        fixture.failing = ["a"]
        let result = try fixture.engine().run(try EngineFixture.diamond(), options: RunOptions(jobs: 1, keepGoing: false))
        XCTAssertEqual(fixture.executed(), ["a"])
        XCTAssertEqual(result.report(stage: "d")?.status, .skipped(because: "a"))
    }

    func testSweepPointsShareStagesWithEqualKeys() throws {
        let fixture = try EngineFixture()
        // Points differ only in c's parameter: a and b are shared, c runs per point.
        let points = try ["C=0.1", "C=1", "C=10"].map { point in
            (point: point, plan: try EngineFixture.diamond(parameters: ["c": "{\"C\":\"\(point)\"}"]))
        }
        let result = try fixture.engine().run(points: points, options: RunOptions(jobs: 2))
        XCTAssertEqual(result.status, .succeeded)
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "c", "c", "d", "e"])
        XCTAssertEqual(result.stages.count, 15)
        let table = result.metricsTable()
        XCTAssertEqual(Set(table.keys), ["C=0.1", "C=1", "C=10"])
        XCTAssertNotNil(table["C=10"]?["c.size"])
        XCTAssertEqual(table["C=1"]?["a.size"], table["C=10"]?["a.size"])
    }

    func testSweepWithARepeatedPointNameIsRejected() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.chain(1)
        XCTAssertThrowsError(try fixture.engine().run(points: [("seed=0", plan), ("seed=0", plan)])) { error in
            XCTAssertEqual(error as? EngineError, .duplicatePoint("seed=0"))
        }
    }

    func testParallelRunUsesUpToJobsThreads() throws {
        let fixture = try EngineFixture()
        let gate = Gate()
        let slow = ClosureOperator { node, _, context in
            gate.enter()
            Thread.sleep(forTimeInterval: 0.05)
            gate.leave()
            try Data(node.parameters).write(to: context.output(named: "out"))
            return StageResult()
        }
        let nodes = (0..<6).map { PlanNode(id: "p\($0)", operatorName: "slow", parametersJSON: "{\"i\":\($0)}", outputs: ["out"]) }
        _ = try fixture.engine(operators: ["slow": slow]).run(try Plan(nodes: nodes), options: RunOptions(jobs: 3))
        XCTAssertEqual(gate.maximum, 3)
    }

    func testMissingOutputAndUnknownOperatorFailTheStage() throws {
        let fixture = try EngineFixture()
        let lazy = ClosureOperator { _, _, _ in StageResult() }
        let plan = try Plan(nodes: [
            PlanNode(id: "lazy", operatorName: "lazy", parametersJSON: "{}", outputs: ["out"]),
            PlanNode(id: "ghost", operatorName: "ghost", parametersJSON: "{}", outputs: ["out"]),
        ])
        let result = try fixture.engine(operators: ["lazy": lazy]).run(plan)
        guard case .failed(let message)? = result.report(stage: "lazy")?.status else { return XCTFail("lazy should fail") }
        XCTAssertTrue(message.contains("without writing its output `out`"), message)
        guard case .failed(let ghost)? = result.report(stage: "ghost")?.status else { return XCTFail("ghost should fail") }
        XCTAssertTrue(ghost.contains("no implementation"), ghost)
    }
}

/// Counts how many threads are inside at once.
final class Gate: @unchecked Sendable {
    private let lock = NSLock()
    private var inside = 0
    private(set) var maximum = 0

    func enter() {
        lock.lock()
        inside += 1
        maximum = max(maximum, inside)
        lock.unlock()
    }

    func leave() {
        lock.lock()
        inside -= 1
        lock.unlock()
    }
}
