import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

/// The no-op rerun's cost, counted rather than timed: every file-system operation the engine
/// makes goes through `FileSystem`, whose counter tells how many a rerun makes per stage.
/// A settled no-op (its records in the plan's snapshot) must stay at one `stat` per record and
/// one per output, with nothing read, written, locked, fsynced or listed per stage, and a
/// constant amount besides (locks, the snapshot, the run record). The first rerun after
/// records were written reads each record's file instead.
final class NoOpFileOperationsTests: XCTestCase {
    override func tearDown() {
        FileSystem.counter = nil
        super.tearDown()
    }

    /// Operations of one no-op rerun of a chain of `stages` stages (after a first run; after a
    /// second too when `settled`, with a clock that makes the records old enough to be noted in
    /// the snapshot).
    private func noOpOperations(stages: Int, outputs: Int, recordHistory: Bool, settled: Bool = false) throws -> [FileSystem.Operation: Int] {
        let fixture = try EngineFixture()
        if settled { fixture.store.clock = { FileIdentity.now() + 10 * FileIdentity.timestampGranularityNanoseconds } }
        let plan = try Plan(nodes: (0..<stages).map { i in
            PlanNode(
                id: "s\(i)", operatorName: "concat", parametersJSON: "{\"i\":\(i)}",
                inputs: i == 0 ? [] : [PlanInput(slot: "x", node: "s\(i - 1)", output: "o0")],
                outputs: (0..<outputs).map { "o\($0)" })
        })
        let first = try fixture.engine().run(plan)
        XCTAssertEqual(first.executed.count, stages)
        if settled { _ = try fixture.engine().run(plan) }
        let counter = FileOperationCounter()
        FileSystem.counter = counter
        let again = try fixture.engine().run(plan, options: RunOptions(recordHistory: recordHistory))
        FileSystem.counter = nil
        XCTAssertEqual(again.status, .succeeded)
        XCTAssertEqual(again.executed, [], "a no-op rerun executes nothing")
        XCTAssertEqual(again.hits.count, stages)
        return counter.snapshot
    }

    func testNoOpRerunReadsOneRecordAndStatsEachOutputPerStage() throws {
        for outputs in [1, 3] {
            let small = try noOpOperations(stages: 10, outputs: outputs, recordHistory: true)
            let large = try noOpOperations(stages: 30, outputs: outputs, recordHistory: true)
            var perStage: [FileSystem.Operation: Double] = [:]
            for op in FileSystem.Operation.allCases {
                let d = Double(large[op, default: 0] - small[op, default: 0]) / 20
                if d != 0 { perStage[op] = d }
            }
            XCTAssertEqual(perStage, [.read: 1, .stat: Double(outputs)], "operations per stage with \(outputs) output(s)")
            // What does not grow with the plan: the store and run locks, one listing of `tmp/` (for
            // leftovers of dead processes), and the run's record `runs/<id>` (written when it starts
            // and when it ends, not synced: the history is rebuilt from it), nothing else.
            let fixed = small.filter { $0.key != .read && $0.key != .stat }
            XCTAssertLessThanOrEqual(fixed.values.reduce(0, +), 7, "constant part: \(fixed)")
            XCTAssertEqual(small[.write, default: 0], 2, "the run record, at start and end: \(small)")
            XCTAssertEqual(small[.rename, default: 0], 2, "the run record, at start and end: \(small)")
            XCTAssertEqual(small[.fsync, default: 0] + small[.hash, default: 0], 0,
                           "a no-op rerun syncs and hashes nothing: \(small)")
        }
    }

    func testSettledNoOpRerunStatsEachRecordAndOutputAndReadsNothingPerStage() throws {
        for outputs in [1, 3] {
            let small = try noOpOperations(stages: 10, outputs: outputs, recordHistory: true, settled: true)
            let large = try noOpOperations(stages: 30, outputs: outputs, recordHistory: true, settled: true)
            var perStage: [FileSystem.Operation: Double] = [:]
            for op in FileSystem.Operation.allCases {
                let d = Double(large[op, default: 0] - small[op, default: 0]) / 20
                if d != 0 { perStage[op] = d }
            }
            XCTAssertEqual(perStage, [.stat: Double(1 + outputs)], "operations per stage with \(outputs) output(s)")
            XCTAssertEqual(small[.read, default: 0], 1, "the snapshot, one file for the whole plan: \(small)")
            let fixed = small.filter { $0.key != .stat }
            XCTAssertLessThanOrEqual(fixed.values.reduce(0, +), 8, "constant part: \(fixed)")
            XCTAssertEqual(small[.write, default: 0], 2, "the run record, at start and end; the snapshot is unchanged: \(small)")
            XCTAssertEqual(small[.fsync, default: 0] + small[.hash, default: 0], 0, "a no-op rerun syncs and hashes nothing: \(small)")
        }
    }

    func testAnObjectPassedThroughUnchangedIsStatedOncePerRun() throws {
        // `pass` hands its input on as `same` (the same object) and writes one object of its own,
        // as a split passes its test set through.
        let pass = ClosureOperator { node, inputs, context in
            try Data(try inputs["x"]!.read()).write(to: context.output(named: "same"))
            try Data(node.parameters).write(to: context.output(named: "own"))
            return StageResult()
        }
        func operations(stages: Int) throws -> [FileSystem.Operation: Int] {
            let fixture = try EngineFixture()
            let plan = try Plan(nodes: [PlanNode(id: "s0", operatorName: "constant", parametersJSON: "{\"value\":1}", outputs: ["out"])]
                + (1..<stages).map { i in
                    PlanNode(id: "s\(i)", operatorName: "pass", parametersJSON: "{\"i\":\(i)}",
                             inputs: [PlanInput(slot: "x", node: "s0", output: "out")], outputs: ["own", "same"])
                })
            XCTAssertEqual(try fixture.engine(operators: ["pass": pass]).run(plan).executed.count, stages)
            let counter = FileOperationCounter()
            FileSystem.counter = counter
            let again = try fixture.engine(operators: ["pass": pass]).run(plan, options: RunOptions(recordHistory: false))
            FileSystem.counter = nil
            XCTAssertEqual(again.hits.count, stages)
            return counter.snapshot
        }
        let small = try operations(stages: 10), large = try operations(stages: 30)
        XCTAssertEqual(Double(large[.stat, default: 0] - small[.stat, default: 0]) / 20, 1, "only the stage's own object is stated: \(large)")
        XCTAssertEqual(Double(large[.read, default: 0] - small[.read, default: 0]) / 20, 1)
    }

    func testDryRunStatusCostsTheSameReadsAndNoLocksPerStage() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.chain(50)
        _ = try fixture.engine().run(plan)
        let counter = FileOperationCounter()
        FileSystem.counter = counter
        let status = try fixture.engine().status(plan)
        FileSystem.counter = nil
        XCTAssertEqual(status.hits.count, 50)
        let counts = counter.snapshot
        XCTAssertEqual(counts[.read], 51, "every record, and the plan's snapshot (there is none: the records are too recent to note)")
        XCTAssertEqual(counts[.stat], 50)
        XCTAssertLessThanOrEqual(counts[.lock, default: 0], 1, "\(counts)")
        XCTAssertEqual(counts.filter { ![.read, .stat, .lock].contains($0.key) }, [:], "\(counts)")
    }
}
