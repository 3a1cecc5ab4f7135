import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

final class HistoryTests: XCTestCase {
    func testLogListsRunsNewestFirstWithCounts() throws {
        let fixture = try EngineFixture()
        let description = RunDescription(experimentPath: fixture.directory.appendingPathComponent("exp.yaml").path, experimentDigest: "abc", parametersJSON: "{\"epochs\":3}")
        let first = try fixture.engine().run(try EngineFixture.diamond(), options: RunOptions(description: description))
        let second = try fixture.engine().run(try EngineFixture.diamond(), options: RunOptions(description: description))
        let runs = try fixture.store.openHistory().recentRuns()
        XCTAssertEqual(runs.map(\.id), [second.runID, first.runID])
        XCTAssertEqual(runs[1].executed, 5)
        XCTAssertEqual(runs[0].hits, 5)
        XCTAssertEqual(runs[0].status, "succeeded")
        XCTAssertEqual(runs[0].experimentDigest, "abc")
        XCTAssertNil(runs[0].gitCommit, "a temporary directory is not inside a git repository")
        XCTAssertEqual(try fixture.store.openHistory().resolveRunID("last"), second.runID)
        XCTAssertEqual(try fixture.store.openHistory().resolveRunID("last~1"), first.runID)
        XCTAssertThrowsError(try fixture.store.openHistory().resolveRunID("nope"))
    }

    func testShowGivesARunsStagesAndAStagesLatestRecord() throws {
        let fixture = try EngineFixture()
        let run = try fixture.engine().run(try EngineFixture.diamond())
        let history = try fixture.store.openHistory()
        let details = try history.run(String(run.runID.prefix(17)))
        XCTAssertEqual(details.stages.map(\.stage), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(details.stages[2].status, "executed")
        XCTAssertEqual(details.stages[2].outputs, run.report(stage: "c")?.outputs)
        XCTAssertEqual(details.stages[2].metrics["size"], run.report(stage: "c")?.metrics["size"])
        let latest = try XCTUnwrap(try history.latestRecord(stage: "e"))
        XCTAssertEqual(latest.runID, run.runID)
        XCTAssertEqual(latest.key, run.report(stage: "e")?.key)
        XCTAssertNotNil(try history.expectedDuration(stage: "e", key: latest.key))
        XCTAssertNil(try history.expectedDuration(stage: "never", key: nil))
    }

    func testDiffShowsChangedKeysParametersAndMetricDeltas() throws {
        let fixture = try EngineFixture()
        let a = try fixture.engine().run(try EngineFixture.diamond(), options: RunOptions(description: RunDescription(parametersJSON: "{\"c\":{\"n\":1}}")))
        let b = try fixture.engine().run(
            try EngineFixture.diamond(parameters: ["c": "{\"name\":\"c\",\"longer\":true}"]),
            options: RunOptions(description: RunDescription(parametersJSON: "{\"c\":{\"n\":2}}")))
        let diff = try fixture.store.openHistory().diff(a.runID, b.runID)
        XCTAssertEqual(diff.parameters, [ValueChange(path: "c.n", before: "1", after: "2")])
        XCTAssertEqual(diff.stages.filter(\.keyChanged).map(\.stage), ["c"])
        let size = try XCTUnwrap(diff.metrics.first { $0.stage == "c" && $0.name == "size" })
        XCTAssertEqual(size.delta, 14, "`,\"longer\":true` adds 14 bytes")
    }

    func testExplainSaysWhichParameterPathOrInputChanged() throws {
        let fixture = try EngineFixture()
        let engine = fixture.engine()
        let before = try EngineFixture.diamond(parameters: ["b": "{\"optimizer\":{\"lr\":0.001},\"epochs\":3}"])
        XCTAssertEqual(try engine.explain(stage: "b", in: before).reasons, [.neverRun])
        _ = try engine.run(before)
        XCTAssertEqual(try engine.explain(stage: "b", in: before), StageExplanation(
            point: "", stage: "b", key: try engine.status(before).report(stage: "b")?.key, willRun: false, reasons: []))

        let after = try EngineFixture.diamond(parameters: ["b": "{\"optimizer\":{\"lr\":0.01},\"epochs\":3}"])
        let b = try engine.explain(stage: "b", in: after)
        XCTAssertTrue(b.willRun)
        XCTAssertEqual(b.reasons, [.parametersChanged([ValueChange(path: "optimizer.lr", before: "0.001", after: "0.01")])])
        let c = try engine.explain(stage: "c", in: after)
        XCTAssertNil(c.key, "c's input is not known until b reruns")
        guard case .inputChanged(slot: "in0", previous: _?, current: nil, upstream: "b")? = c.reasons.first, c.reasons.count == 1 else {
            return XCTFail("\(c.reasons)")
        }

        let bumped = try EngineFixture.diamond(parameters: ["b": "{\"optimizer\":{\"lr\":0.001},\"epochs\":3}"], versions: ["b": 2])
        XCTAssertEqual(try engine.explain(stage: "b", in: bumped).reasons, [.operatorVersionChanged(from: 1, to: 2)])
    }

    func testExplainNoticesAMissingCachedResult() throws {
        let fixture = try EngineFixture()
        let engine = fixture.engine()
        let plan = try EngineFixture.diamond()
        let run = try engine.run(plan)
        let digest = try XCTUnwrap(run.report(stage: "d")?.outputs["out"])
        fixture.store.quarantine(fixture.store.objectPath(digest))
        let d = try engine.explain(stage: "d", in: plan)
        XCTAssertEqual(d.reasons, [.cachedResultMissing(key: try XCTUnwrap(run.report(stage: "d")?.key))])
    }
}

final class PreviewTests: XCTestCase {
    func testPreviewListsCachedStagesAndExpectedCostFromHistory() throws {
        let fixture = try EngineFixture()
        let engine = fixture.engine()
        let fresh = try engine.preview(try EngineFixture.diamond())
        XCTAssertEqual(fresh.map(\.stage), ["a", "b", "c", "d", "e"])
        XCTAssertTrue(fresh.allSatisfy { !$0.cached && $0.expectedSeconds == nil })
        _ = try engine.run(try EngineFixture.diamond())
        let edited = try engine.preview(try EngineFixture.diamond(parameters: ["c": "{\"name\":\"c2\"}"]))
        XCTAssertEqual(edited.filter { !$0.cached }.map(\.stage), ["c"])
        XCTAssertNotNil(edited.first { $0.stage == "c" }?.expectedSeconds, "c's cost comes from its last execution")
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "d", "e"], "previews execute nothing")
    }
}
