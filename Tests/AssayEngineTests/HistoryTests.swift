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

final class HistoryMigrationTests: XCTestCase {
    func testAHistoryFromBeforeExecutorJobIDsIsMigrated() throws {
        let fixture = try EngineFixture()
        let path = fixture.store.historyURL.path
        do {
            let old = try SQLiteDatabase(path: path)
            try old.execute("""
                CREATE TABLE stages(run_id TEXT NOT NULL, point TEXT NOT NULL, stage TEXT NOT NULL, operator TEXT NOT NULL,
                  key TEXT, status TEXT NOT NULL, message TEXT, duration REAL NOT NULL, outputs TEXT NOT NULL);
                """)
        }
        _ = try fixture.engine().run(try EngineFixture.chain(2))
        let history = try fixture.store.openHistory()
        XCTAssertEqual(try history.run("last").stages.map(\.stage), ["s0", "s1"])
    }

    func testAVersion1HistoryKeepsItsInlineParametersAndStoresNewOnesOnce() throws {
        let fixture = try EngineFixture()
        let path = fixture.store.historyURL.path
        do {
            let old = try SQLiteDatabase(path: path)
            try old.execute("""
                CREATE TABLE runs(id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL, experiment TEXT NOT NULL,
                  experiment_digest TEXT NOT NULL, parameters TEXT NOT NULL, git_commit TEXT, status TEXT NOT NULL, points TEXT NOT NULL);
                INSERT INTO runs VALUES('20250101-000000-000001', 1.0, 2.0, '/e.yaml', 'x', '{"old":1}', NULL, 'succeeded', '');
                PRAGMA user_version = 1;
                """)
        }
        let description = RunDescription(experimentPath: "/e.yaml", experimentDigest: "x", parametersJSON: "{\"new\":2}")
        let run = try fixture.engine().run(try EngineFixture.chain(2), options: RunOptions(description: description))
        let history = try fixture.store.openHistory()
        XCTAssertEqual(try history.run("20250101-000000-000001").parametersJSON, "{\"old\":1}")
        XCTAssertEqual(try history.run(run.runID).parametersJSON, "{\"new\":2}")
    }
}

/// A run's parameters (every stage's, ~300 KB at 1,000 stages) are stored once by content,
/// not three times per run: reruns of an unchanged experiment add no copy.
final class RunDescriptionStorageTests: XCTestCase {
    func testRerunsStoreTheParametersOnceAndEveryQueryStillReadsThem() throws {
        let fixture = try EngineFixture()
        let big = "{\"p\":\"" + String(repeating: "x", count: 50_000) + "\"}"
        let description = RunDescription(experimentPath: "/exp/a.yaml", experimentDigest: "abc", parametersJSON: big)
        let other = RunDescription(experimentPath: "/exp/a.yaml", experimentDigest: "abd", parametersJSON: "{\"p\":2}")
        var ids: [String] = []
        for d in [description, description, description, other] {
            ids.append(try fixture.engine().run(try EngineFixture.diamond(), options: RunOptions(description: d)).runID)
        }
        let stored = FileSystem.contents(of: fixture.store.descriptionsPath).sorted()
        XCTAssertEqual(stored, [description.parametersDigest.hex, other.parametersDigest.hex].sorted())
        for id in ids {
            let record = try XCTUnwrap(try FileSystem.readFile(fixture.store.runRecordPath(id)))
            XCTAssertLessThan(record.count, 10_000, "the run record names the parameters by digest")
        }
        do {
            let history = try fixture.store.openHistory()
            let count = try history.database.prepare("SELECT count(*) FROM descriptions")
            XCTAssertTrue(try count.step())
            XCTAssertEqual(count.int(0), 2, "one row per distinct text")
            XCTAssertEqual(try ids.map { try history.run($0).parametersJSON }, [big, big, big, "{\"p\":2}"])
            XCTAssertFalse(try history.diff(ids[2], ids[3]).parameters.isEmpty)
        }

        // Rebuilt from the run records, the history reads the stored text again.
        FileSystem.remove(fixture.store.historyURL.path)
        FileSystem.remove(fixture.store.historyURL.path + "-wal")
        FileSystem.remove(fixture.store.historyURL.path + "-shm")
        let rebuilt = try fixture.store.openHistory()
        XCTAssertEqual(try ids.map { try rebuilt.run($0).parametersJSON }, [big, big, big, "{\"p\":2}"])
    }

    func testAMissingOrAlteredParametersFileIsNotTakenForTheRunsParameters() throws {
        let fixture = try EngineFixture()
        let description = RunDescription(parametersJSON: "{\"p\":1}")
        let run = try fixture.engine().run(try EngineFixture.chain(1), options: RunOptions(description: description))
        let path = fixture.store.descriptionPath(description.parametersDigest)
        try FileSystem.writeAtomically(Array("{\"p\":9}".utf8), to: path, temporaryDirectory: fixture.store.temporaryPath)
        XCTAssertNil(fixture.store.storedParameters(description.parametersDigest), "checked against its digest")
        FileSystem.remove(path)
        XCTAssertNil(fixture.store.storedParameters(description.parametersDigest))
        // The history keeps its own copy; a rebuild without the file keeps the run, parameters unknown.
        XCTAssertEqual(try fixture.store.openHistory().run(run.runID).parametersJSON, "{\"p\":1}")
        for suffix in ["", "-wal", "-shm"] { FileSystem.remove(fixture.store.historyURL.path + suffix) }
        let rebuilt = try fixture.store.openHistory()
        XCTAssertEqual(try rebuilt.run(run.runID).parametersJSON, "{}")
        XCTAssertEqual(try rebuilt.run(run.runID).stages.map(\.stage), ["s0"])
    }
}

final class CompareTests: XCTestCase {
    func testComparingTwoPlansNamesTheStagesWhoseKeyChanges() throws {
        let fixture = try EngineFixture()
        let engine = fixture.engine()
        let a = try EngineFixture.diamond()
        _ = try engine.run(a)
        let b = try EngineFixture.diamond(parameters: ["b": "{\"name\":\"b\",\"lr\":0.1}"])
        let comparison = try engine.compare([(point: "", plan: a)], [(point: "", plan: b)])
        XCTAssertEqual(comparison.filter { $0.change == .changed }.map(\.stage), ["b", "c"])
        XCTAssertEqual(comparison.filter { $0.change == .same }.map(\.stage), ["a", "d", "e"])
        XCTAssertNil(comparison.first { $0.stage == "c" }?.keyB, "c's key in B waits for b")
    }

    func testComparingUnrunPlansUsesRecipes() throws {
        let fixture = try EngineFixture()
        let a = try EngineFixture.diamond()
        let b = try Plan(nodes: EngineFixture.diamondNodes(parameters: ["d": "{\"v\":2}"]).filter { $0.id != "c" })
        let comparison = try fixture.engine().compare([(point: "", plan: a)], [(point: "", plan: b)])
        let changes = Dictionary(uniqueKeysWithValues: comparison.map { ($0.stage, $0.change) })
        XCTAssertEqual(changes, ["a": .same, "b": .same, "c": .onlyInA, "d": .changed, "e": .changed])
        XCTAssertEqual(fixture.executed(), [])
    }
}

final class InterruptedRunTests: XCTestCase {
    func testARunWhoseProcessDiedIsReportedInterruptedAndALiveOneRunning() throws {
        let fixture = try EngineFixture()
        let history = try fixture.store.openHistory()
        try history.beginRun(id: "20260101-000000-dead", description: RunDescription(), points: [""])
        XCTAssertEqual(try history.run("20260101-000000-dead").summary.status, "interrupted")

        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let waiting = ClosureOperator { node, _, context in
            started.signal()
            release.wait()
            try Data(node.parameters).write(to: context.output(named: "out"))
            return StageResult()
        }
        let engine = fixture.engine(operators: ["wait": waiting])
        let plan = try Plan(nodes: [PlanNode(id: "w", operatorName: "wait", parametersJSON: "{}", outputs: ["out"])])
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? engine.run(plan)
            done.signal()
        }
        XCTAssertEqual(started.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(try history.run("last").summary.status, "running")
        release.signal()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(try history.run("last").summary.status, "succeeded")
    }
}
