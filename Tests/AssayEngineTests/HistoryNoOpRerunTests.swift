import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

/// A no-op rerun whose stage rows would repeat an earlier run's writes none: its run row points
/// at that run, and every query answers as if the rows had been copied.
final class HistoryNoOpRerunTests: XCTestCase {
    private func count(_ history: History, _ sql: String) throws -> Int {
        let q = try history.database.prepare(sql)
        XCTAssertTrue(try q.step())
        return q.int(0) ?? -1
    }

    private func target(_ history: History, of run: String) throws -> String? {
        let q = try history.database.prepare("SELECT same_stages_as FROM runs WHERE id = ?1").bind(run)
        XCTAssertTrue(try q.step())
        return q.string(0)
    }

    /// The runs that recorded a stage, newest first, in the order the queries use.
    private func runsRecording(_ stage: String, _ history: History) throws -> [String] {
        let q = try history.database.prepare("SELECT run_id FROM stages WHERE stage = ?1 ORDER BY run_order DESC, row_order DESC").bind(stage)
        var ids: [String] = []
        while try q.step() { ids.append(q.string(0) ?? "") }
        return ids
    }

    /// A run's stages as the queries give them, without the run id.
    private func rows(_ details: RunDetails) -> [StageRecord] {
        details.stages.map { var r = $0; r.runID = ""; return r }
    }

    func testANoOpRerunPointsAtTheIdenticalRunAndEveryQueryFollowsIt() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        var ids: [String] = []
        for _ in 0..<4 { ids.append(try fixture.engine().run(plan).runID) }
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "d", "e"])
        let history = try fixture.store.openHistory()

        // The first run executed, the second hit everything and holds rows; the others point at it.
        XCTAssertEqual(try count(history, "SELECT count(*) FROM stage_rows"), 10)
        XCTAssertEqual(try count(history, "SELECT count(*) FROM metric_rows"), 10)
        XCTAssertNil(try target(history, of: ids[1]))
        XCTAssertEqual(try target(history, of: ids[2]), ids[1])
        XCTAssertEqual(try target(history, of: ids[3]), ids[1])

        // log / status: counts per run.
        let runs = try history.recentRuns()
        XCTAssertEqual(runs.map(\.id), ids.reversed())
        XCTAssertEqual(runs.map(\.hits), [5, 5, 5, 0])
        XCTAssertEqual(runs.map(\.executed), [0, 0, 0, 5])
        // show: the same stage rows, metrics included, under each run's own id.
        let second = try history.run(ids[1])
        for id in ids[2...] {
            let details = try history.run(id)
            XCTAssertEqual(details.stages.map(\.runID), Array(repeating: id, count: 5))
            XCTAssertEqual(rows(details), rows(second))
            XCTAssertEqual(details.stages.first?.metrics.isEmpty, false)
        }
        // history of one stage: the latest run is the last no-op, not the run it points at.
        XCTAssertEqual(try history.latestRecord(stage: "c")?.runID, ids[3])
        XCTAssertEqual(try runsRecording("c", history), ids.reversed())
        // lineage reads every hit and execution, oldest first.
        let keyed = try history.keyedStageRows()
        XCTAssertEqual(keyed.count, 20)
        XCTAssertEqual(keyed.suffix(5).map(\.runID), Array(repeating: ids[3], count: 5))
        XCTAssertEqual(try history.diff(ids[1], ids[3]).stages.filter { $0.keyA != $0.keyB }, [])
        // gc keeps what the last run used although it holds no rows of its own.
        let kept = try history.outputDigests(ofRecentRuns: 1)
        XCTAssertEqual(kept.runs, [ids[3]])
        XCTAssertEqual(kept.digests.count, 5)
        _ = try fixture.store.collectGarbage(keepingRuns: 1, history: history)
        XCTAssertEqual(try fixture.engine().run(plan).executed, [])
        XCTAssertEqual(fixture.executed(), [])
    }

    func testARerunThatDiffersInAnyRowWritesItsRows() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        let first = try fixture.engine().run(plan)
        let second = try fixture.engine().run(plan)
        // A cached object removed: the stage that made it reruns, so the rows differ.
        let c = try XCTUnwrap(first.report(stage: "c")?.outputs["out"])
        FileSystem.remove(fixture.store.objectPath(c))
        let third = try fixture.engine().run(plan)
        XCTAssertEqual(fixture.executed(), ["a", "b", "c", "d", "e", "c"].sorted())
        // A different selection of stages: different rows.
        let fourth = try fixture.engine().run(try EngineFixture.chain(2))
        let history = try fixture.store.openHistory()
        for run in [second, third, fourth] { XCTAssertNil(try target(history, of: run.runID)) }
        XCTAssertEqual(try history.run(third.runID).stages.first { $0.stage == "c" }?.status, "executed")
    }

    func testARebuiltHistoryGivesTheSameAnswers() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        var ids: [String] = []
        for _ in 0..<4 { ids.append(try fixture.engine().run(plan).runID) }
        var before: [[StageRecord]] = []
        var summaries: [RunSummary] = []
        do {
            let history = try fixture.store.openHistory()
            before = try ids.map { try history.run($0).stages }
            summaries = try history.recentRuns()
        }
        for suffix in ["", "-wal", "-shm"] { FileSystem.remove(fixture.store.historyURL.path + suffix) }
        let rebuilt = try fixture.store.openHistory()
        XCTAssertNotNil(rebuilt.recovery)
        XCTAssertEqual(try ids.map { try rebuilt.run($0).stages }, before)
        XCTAssertEqual(try rebuilt.recentRuns().map(\.hits), summaries.map(\.hits))
        // Runs after the rebuild point at rows again.
        let next = try fixture.engine().run(plan)
        let again = try fixture.engine().run(plan)
        XCTAssertEqual(try target(try fixture.store.openHistory(), of: again.runID), next.runID)
    }

    func testAVersion2HistoryIsMigratedWithItsRowsInOrder() throws {
        let fixture = try EngineFixture()
        let path = fixture.store.historyURL.path
        do {
            let old = try SQLiteDatabase(path: path)
            try old.execute("""
                CREATE TABLE runs(id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL, experiment TEXT NOT NULL,
                  experiment_digest TEXT NOT NULL, parameters TEXT NOT NULL, git_commit TEXT, status TEXT NOT NULL,
                  points TEXT NOT NULL, parameters_digest TEXT);
                CREATE TABLE stages(run_id TEXT NOT NULL, point TEXT NOT NULL, stage TEXT NOT NULL, operator TEXT NOT NULL,
                  key TEXT, status TEXT NOT NULL, message TEXT, duration REAL NOT NULL, outputs TEXT NOT NULL, executor_job TEXT);
                CREATE TABLE metrics(run_id TEXT NOT NULL, point TEXT NOT NULL, stage TEXT NOT NULL, name TEXT NOT NULL, value REAL NOT NULL);
                INSERT INTO runs VALUES('20250101-000000-000001', 1.0, 2.0, '/e.yaml', 'x', '{}', NULL, 'succeeded', '', NULL);
                INSERT INTO runs VALUES('20250101-000000-000002', 3.0, 4.0, '/e.yaml', 'x', '{}', NULL, 'succeeded', '', NULL);
                INSERT INTO stages VALUES('20250101-000000-000001', '', 'old', 'concat', NULL, 'executed', NULL, 1.5, '', NULL);
                INSERT INTO stages VALUES('20250101-000000-000002', '', 'old', 'concat', NULL, 'executed', NULL, 2.5, '', NULL);
                INSERT INTO metrics VALUES('20250101-000000-000002', '', 'old', 'loss', 0.5);
                PRAGMA user_version = 2;
                """)
        }
        let history = try fixture.store.openHistory()
        XCTAssertEqual(try history.latestRecord(stage: "old")?.runID, "20250101-000000-000002")
        XCTAssertEqual(try history.latestRecord(stage: "old")?.metrics, ["loss": 0.5])
        XCTAssertEqual(try history.expectedDuration(stage: "old", key: nil), 2.5)
        _ = try fixture.engine().run(try EngineFixture.chain(1))
        XCTAssertEqual(try history.recentRuns().count, 3)
        XCTAssertEqual(try runsRecording("old", history), ["20250101-000000-000002", "20250101-000000-000001"])
    }
}
