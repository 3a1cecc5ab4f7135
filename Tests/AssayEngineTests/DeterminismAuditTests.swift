import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

final class DeterminismAuditTests: XCTestCase {
    func testReexecutedStagesAreComparedWithTheirRecordedOutputs() throws {
        let fixture = try EngineFixture()
        // `noisy` writes different bytes each time it runs: a nondeterministic operator.
        let noisy = ClosureOperator { _, inputs, context in
            var bytes = [UInt8](try inputs["in0"]!.read())
            bytes += Array(UUID().uuidString.utf8)
            try Data(bytes).write(to: context.output(named: "out"))
            return StageResult()
        }
        let plan = try Plan(nodes: EngineFixture.diamondNodes() + [
            PlanNode(id: "n", operatorName: "noisy", parametersJSON: "{}", inputs: [PlanInput(slot: "in0", node: "c", output: "out")], outputs: ["out"]),
        ])
        let operators = fixture.operators.merging(["noisy": noisy]) { a, _ in a }
        _ = try Engine(store: fixture.store, operators: operators).run(plan)
        _ = fixture.executed()
        let objectsBefore = try fixture.store.verify().objectsChecked

        let (records, unknown) = DeterminismAudit.latestRecords(of: ["c", "n", "zz"], in: fixture.store)
        XCTAssertEqual(records.map(\.stage), ["c", "n"])
        XCTAssertEqual(unknown, ["zz"])
        let verdicts = records.map {
            DeterminismAudit.reexecute(
                $0, from: fixture.store, operators: operators, locals: [:], producers: DeterminismAudit.producers(in: fixture.store), threads: 1,
                scratch: fixture.directory.appendingPathComponent("scratch-\($0.stage)"))
        }
        XCTAssertEqual(verdicts, [.equal, .different(outputs: ["out"])])
        XCTAssertEqual(fixture.executed(), ["c"], "c really ran again")
        XCTAssertEqual(try fixture.store.verify().objectsChecked, objectsBefore, "the store itself is untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.directory.appendingPathComponent("scratch-c").path))

        XCTAssertEqual(DeterminismAudit.sample(3, from: fixture.store).count, 3)
        XCTAssertEqual(DeterminismAudit.sample(3, from: fixture.store), DeterminismAudit.sample(3, from: fixture.store))
    }

    func testAStageWhoseInputIsGoneCannotBeReexecutedAndSaysSo() throws {
        let fixture = try EngineFixture()
        let result = try fixture.engine().run(try EngineFixture.diamond())
        let a = try XCTUnwrap(result.report(stage: "a")?.outputs["out"])
        FileSystem.remove(fixture.store.objectPath(a))
        let record = try XCTUnwrap(DeterminismAudit.latestRecords(of: ["b"], in: fixture.store).found.first)
        let verdict = DeterminismAudit.reexecute(
            record, from: fixture.store, operators: fixture.operators, locals: [:], producers: [:], threads: 1, scratch: fixture.directory.appendingPathComponent("s"))
        XCTAssertEqual(verdict, .failed("its input `in0` (object \(a.short)) is not in the store"))
    }
}
