import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

/// The history database is an index: damaged or emptied, it is rebuilt from the run records
/// and action records, and everything that reads it works again.
final class HistoryRebuildTests: XCTestCase {
    private func twoRuns(_ fixture: EngineFixture) throws -> (RunResult, RunResult) {
        let description = RunDescription(experimentPath: "/exp/a.yaml", experimentDigest: "abc", parametersJSON: "{\"epochs\":3}")
        let first = try fixture.engine().run(try EngineFixture.diamond(), options: RunOptions(description: description))
        let second = try fixture.engine().run(
            try EngineFixture.diamond(parameters: ["c": "{\"name\":\"c\",\"v\":2}"]), options: RunOptions(description: description))
        return (first, second)
    }

    private func assertRestored(_ history: History, _ first: RunResult, _ second: RunResult, file: StaticString = #filePath, line: UInt = #line) throws {
        let runs = try history.recentRuns()
        XCTAssertEqual(runs.map(\.id), [second.runID, first.runID], file: file, line: line)
        XCTAssertEqual(runs.map(\.status), ["succeeded", "succeeded"], file: file, line: line)
        XCTAssertEqual(runs.map(\.executed), [1, 5], file: file, line: line)
        XCTAssertEqual(runs.map(\.hits), [4, 0], file: file, line: line)
        XCTAssertEqual(runs[0].experimentPath, "/exp/a.yaml", file: file, line: line)
        let last = try history.run("last")
        XCTAssertEqual(last.parametersJSON, "{\"epochs\":3}", file: file, line: line)
        XCTAssertEqual(last.stages.map(\.stage), ["a", "b", "c", "d", "e"], file: file, line: line)
        XCTAssertEqual(last.stages[2].outputs, second.report(stage: "c")?.outputs, file: file, line: line)
        XCTAssertEqual(last.stages[2].metrics, second.report(stage: "c")?.metrics, file: file, line: line)
        let c = try XCTUnwrap(second.report(stage: "c")?.key)
        XCTAssertEqual(try history.recipe(for: c)?.stage, "c", file: file, line: line)
    }

    func testACorruptHistoryIsMovedAsideRebuiltAndRunsContinue() throws {
        let fixture = try EngineFixture()
        let (first, second) = try twoRuns(fixture)
        let path = fixture.store.historyURL.path
        // Garbage over the headers of the database and its write-ahead log, as a bad disk or
        // a stray `cp` would leave them.
        for file in [path, path + "-wal"] {
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: file))
            handle.write(Data(repeating: 0x5A, count: 4096))
            try handle.close()
        }
        XCTAssertThrowsError(try History(path: path)) { XCTAssertTrue("\($0)".contains("not a database"), "\($0)") }

        let history = try fixture.store.openHistory()
        let recovery = try XCTUnwrap(history.recovery)
        XCTAssertEqual(recovery.runsRestored, 2)
        XCTAssertEqual(recovery.recordsRead, 6)
        let aside = try XCTUnwrap(recovery.movedTo)
        XCTAssertTrue(FileManager.default.fileExists(atPath: aside), "the damaged file is kept for inspection")
        XCTAssertTrue(recovery.description.contains("not a database"), recovery.description)
        try assertRestored(history, first, second)
        XCTAssertNil(try fixture.store.openHistory().recovery, "said once")

        let events = EventLog()
        let third = try fixture.engine().run(try EngineFixture.diamond(), observer: events.observer)
        XCTAssertEqual(third.executed, [])
        XCTAssertEqual(try fixture.store.openHistory().recentRuns().count, 3)
    }

    func testAnEmptiedHistoryIsRebuiltFromTheRunRecords() throws {
        let fixture = try EngineFixture()
        let (first, second) = try twoRuns(fixture)
        let path = fixture.store.historyURL.path
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))

        let events = EventLog()
        _ = try fixture.engine().run(try EngineFixture.diamond(), observer: events.observer)
        let recovery = events.all.compactMap { if case .historyRebuilt(let r) = $0 { return r } else { return nil } }
        XCTAssertEqual(recovery.count, 1, "the run says the history was rebuilt")
        XCTAssertNil(recovery.first?.movedTo)
        let history = try fixture.store.openHistory()
        XCTAssertEqual(try history.recentRuns().count, 3)
        let runs = try history.recentRuns()
        XCTAssertEqual(Array(runs.dropFirst()).map(\.id), [second.runID, first.runID])
    }

    func testCheckHistoryRebuildsAHistoryDamagedBeyondItsFirstPages() throws {
        let fixture = try EngineFixture()
        let (first, second) = try twoRuns(fixture)
        XCTAssertNil(try fixture.store.checkHistory(), "a sound history is left alone")
        let path = fixture.store.historyURL.path
        do {
            let history = try History(path: path)
            try history.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        // Garbage over the last pages: opening works, reading some tables does not.
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertGreaterThan(size, 8192)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: UInt64(size - 8192))
        handle.write(Data(repeating: 0x5A, count: 8192))
        try handle.close()

        let recovery = try XCTUnwrap(try fixture.store.checkHistory())
        XCTAssertNotNil(recovery.movedTo)
        try assertRestored(try fixture.store.openHistory(), first, second)
    }

    func testRunRecordRoundTripsAndALaterStageLineWins() throws {
        var record = RunRecord(
            id: "20260101-000000-abcdef", started: 1.5,
            description: RunDescription(experimentPath: "/a b/%x.yaml", experimentDigest: "d", parametersJSON: "{\"k\": \"v w\"}", gitCommit: "abc"),
            points: ["", "seed=1"])
        record.stages = [
            .init(point: "seed=1", stage: "erm eval", operatorName: "evaluate", key: Digest.of("k"), status: "executed", duration: 2.5, executorJobID: "17", message: nil),
            .init(point: "", stage: "dfr", operatorName: "retrain", key: nil, status: "failed", duration: 0, executorJobID: nil, message: "it broke\nbadly"),
        ]
        record.finished = (3.5, "failed")
        // The parameters are stored once by content; the record names them by digest.
        let stored = { (d: Digest) in d == record.description.parametersDigest ? record.description.parametersJSON : nil }
        XCTAssertFalse(String(decoding: record.encoded(), as: UTF8.self).contains("v w"))
        XCTAssertEqual(try RunRecord.decode(record.encoded(), path: "r", parameters: stored), record)
        XCTAssertEqual(try RunRecord.decode(record.encoded(), path: "r", parameters: { _ in nil }).description.parametersJSON, "{}")
        let replaced = record.encoded() + Array(RunRecord.line(.init(point: "", stage: "dfr", operatorName: "retrain", key: nil, status: "skipped", duration: 0)).utf8)
        XCTAssertEqual(try RunRecord.decode(replaced, path: "r", parameters: stored).stages.map(\.status), ["executed", "skipped"])
    }
}
