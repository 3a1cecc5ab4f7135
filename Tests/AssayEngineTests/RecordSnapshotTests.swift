import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

/// `snapshots/`: a plan's records in one file, served only while each record file keeps the
/// identity noted; damaged, truncated or stale snapshots are never trusted.
final class RecordSnapshotTests: XCTestCase {
    /// A fixture whose store judges files written now as old: records just written are not
    /// racy, so the second run notes them and the third is served from the snapshot.
    private func settledFixture() throws -> EngineFixture {
        let fixture = try EngineFixture()
        fixture.store.clock = { FileIdentity.now() + 10 * FileIdentity.timestampGranularityNanoseconds }
        return fixture
    }

    private func snapshotFiles(_ store: Store) -> [String] {
        FileSystem.contents(of: store.snapshotsPath).filter { !$0.hasPrefix(".") }
    }

    private func snapshotPath(_ store: Store) throws -> String {
        let files = snapshotFiles(store)
        XCTAssertEqual(files.count, 1, "one snapshot per plan: \(files)")
        return store.snapshotsPath + "/" + (try XCTUnwrap(files.first))
    }

    /// Runs `plan` twice more (executed first): afterwards the store holds its snapshot.
    private func runUntilSnapshotted(_ fixture: EngineFixture, _ plan: Plan) throws {
        _ = try fixture.engine().run(plan)
        _ = try fixture.engine().run(plan)
        _ = fixture.executed()
    }

    private func counting(_ body: () throws -> RunResult) rethrows -> (RunResult, [FileSystem.Operation: Int]) {
        let counter = FileOperationCounter()
        FileSystem.counter = counter
        defer { FileSystem.counter = nil }
        let result = try body()
        return (result, counter.snapshot)
    }

    override func tearDown() {
        FileSystem.counter = nil
        super.tearDown()
    }

    func testASettledNoOpReadsTheSnapshotOnceAndNoRecordFile() throws {
        let fixture = try settledFixture()
        let plan = try EngineFixture.chain(20)
        try runUntilSnapshotted(fixture, plan)
        let (again, counts) = try counting { try fixture.engine().run(plan) }
        XCTAssertEqual(again.hits.count, 20)
        XCTAssertEqual(fixture.executed(), [])
        XCTAssertEqual(counts[.read], 1, "the snapshot alone: \(counts)")
        XCTAssertEqual(counts[.stat], 40, "a record and an output per stage: \(counts)")
        XCTAssertEqual(counts[.write], 2, "the run record only, no new snapshot: \(counts)")
    }

    func testRecordsJustWrittenAreNotNoted() throws {
        // The real clock: every record of the first run is racy when the second reads it.
        let fixture = try EngineFixture()
        let plan = try EngineFixture.chain(5)
        _ = try fixture.engine().run(plan)
        _ = try fixture.engine().run(plan)
        XCTAssertEqual(snapshotFiles(fixture.store), [], "nothing to note: a record written within the timestamp granularity could change unseen")
    }

    func testADamagedSnapshotIsIgnoredAndRewritten() throws {
        let fixture = try settledFixture()
        let plan = try EngineFixture.chain(10)
        try runUntilSnapshotted(fixture, plan)
        let path = try snapshotPath(fixture.store)
        let sound = try XCTUnwrap(FileSystem.readFile(path))
        // A flipped byte in a record's parameters, then in an identity, then in the trailer.
        for offset in [sound.count / 2, 20 + RecordSnapshot.magic.utf8.count, sound.count - 3] {
            var damaged = sound
            damaged[offset] ^= 0x01
            XCTAssertNil(RecordSnapshot(decoding: damaged), "damage at byte \(offset) is detected")
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            let (again, counts) = try counting { try fixture.engine().run(plan) }
            XCTAssertEqual(again.hits.count, 10)
            XCTAssertEqual(fixture.executed(), [])
            XCTAssertEqual(counts[.read], 11, "the damaged snapshot, then every record from its file: \(counts)")
            XCTAssertEqual(try XCTUnwrap(FileSystem.readFile(path)), sound, "rewritten as it was")
        }
    }

    func testEveryTruncationOfASnapshotIsRefused() throws {
        let fixture = try settledFixture()
        try runUntilSnapshotted(fixture, try EngineFixture.chain(3))
        let sound = try XCTUnwrap(FileSystem.readFile(try snapshotPath(fixture.store)))
        XCTAssertEqual(RecordSnapshot(decoding: sound)?.entries.count, 3)
        for length in 0..<sound.count {
            XCTAssertNil(RecordSnapshot(decoding: Array(sound[0..<length])), "truncated to \(length) bytes")
        }
        XCTAssertNil(RecordSnapshot(decoding: sound + sound), "two snapshots back to back are not one")
    }

    func testARecordRewrittenByAnotherProcessIsReadFromItsFile() throws {
        let fixture = try settledFixture()
        let plan = try EngineFixture.chain(4)
        let first = try fixture.engine().run(plan)
        _ = try fixture.engine().run(plan)
        _ = fixture.executed()
        // Another process records the key again, with other metrics (a non-deterministic operator).
        let key = try XCTUnwrap(first.report(stage: "s2")?.key)
        var record = try XCTUnwrap(fixture.store.actionRecord(for: key))
        record.metrics["size"] = 12345
        try fixture.store.write(record)
        let again = try fixture.engine().run(plan)
        XCTAssertEqual(fixture.executed(), [])
        XCTAssertEqual(again.report(stage: "s2")?.metrics["size"], 12345, "the record's file, not the snapshot's stale copy")
    }

    func testARecordEditedInPlaceIsRefusedDespiteTheSnapshot() throws {
        let fixture = try settledFixture()
        let plan = try EngineFixture.chain(4)
        let first = try fixture.engine().run(plan)
        _ = try fixture.engine().run(plan)
        _ = fixture.executed()
        let key = try XCTUnwrap(first.report(stage: "s1")?.key)
        let path = fixture.store.actionPath(key)
        let size = try XCTUnwrap(first.report(stage: "s1")?.metrics["size"])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // Not atomically: the same inode, edited where it lies.
        try text.replacingOccurrences(of: "metric size \(size)", with: "metric size 999.0").write(toFile: path, atomically: false, encoding: .utf8)
        let events = EventLog()
        let again = try fixture.engine().run(plan, observer: events.observer)
        XCTAssertEqual(fixture.executed(), ["s1"], "the edited record is not served, from its file or the snapshot")
        XCTAssertEqual(again.report(stage: "s1")?.metrics["size"], size)
        XCTAssertTrue(events.all.contains {
            if case .recordDamaged(_, "s1", path, let problem, true) = $0 { return problem.contains("checksum") } else { return false }
        })
    }

    func testADeletedRecordOrArtifactIsAMissDespiteTheSnapshot() throws {
        let fixture = try settledFixture()
        let plan = try EngineFixture.diamond()
        let first = try fixture.engine().run(plan)
        _ = try fixture.engine().run(plan)
        _ = fixture.executed()
        fixture.store.removeActionRecord(for: try XCTUnwrap(first.report(stage: "d")?.key))
        let object = try XCTUnwrap(first.report(stage: "b")?.outputs["out"])
        chmod(fixture.store.objectPath(object), 0o644)
        unlink(fixture.store.objectPath(object))
        _ = try fixture.engine().run(plan)
        // b's bytes come back the same, so c is still a hit (early cutoff); e reads d's same bytes.
        XCTAssertEqual(fixture.executed(), ["b", "d"])
        XCTAssertTrue(fixture.store.hasObject(object))
    }

    func testADryRunUsesTheSnapshotAndWritesNothing() throws {
        let fixture = try settledFixture()
        let plan = try EngineFixture.chain(10)
        try runUntilSnapshotted(fixture, plan)
        let (status, counts) = try counting { try fixture.engine().status(plan) }
        XCTAssertEqual(status.hits.count, 10)
        XCTAssertEqual(counts[.read], 1)
        XCTAssertEqual(counts.filter { ![.read, .stat, .lock].contains($0.key) }, [:], "\(counts)")
    }

    func testConcurrentRunsLeaveOneSoundSnapshot() throws {
        let fixture = try settledFixture()
        let plan = try EngineFixture.chain(30)
        _ = try fixture.engine().run(plan)
        // Four runs at once, each reading the records from their files and writing the snapshot.
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            XCTAssertEqual(try? fixture.engine().run(plan).hits.count, 30)
        }
        let bytes = try XCTUnwrap(FileSystem.readFile(try snapshotPath(fixture.store)))
        XCTAssertEqual(RecordSnapshot(decoding: bytes)?.entries.count, 30)
        XCTAssertEqual(FileSystem.contents(of: fixture.store.temporaryPath), [], "no temporary file left")
        let (again, counts) = try counting { try fixture.engine().run(plan) }
        XCTAssertEqual(again.hits.count, 30)
        XCTAssertEqual(counts[.read], 1)
    }

    func testSweepPointsSharingKeysShareEntries() throws {
        let fixture = try settledFixture()
        let plan = try EngineFixture.chain(5)
        let points = [(point: "a", plan: plan), (point: "b", plan: plan)]
        _ = try fixture.engine().run(points: points)
        _ = try fixture.engine().run(points: points)
        let bytes = try XCTUnwrap(FileSystem.readFile(try snapshotPath(fixture.store)))
        XCTAssertEqual(RecordSnapshot(decoding: bytes)?.entries.count, 5)
        let (again, counts) = try counting { try fixture.engine().run(points: points) }
        XCTAssertEqual(again.hits.count, 10)
        XCTAssertEqual(counts[.read], 1)
    }

    func testGarbageCollectionRemovesSnapshots() throws {
        let fixture = try settledFixture()
        try runUntilSnapshotted(fixture, try EngineFixture.chain(3))
        XCTAssertEqual(snapshotFiles(fixture.store).count, 1)
        _ = try fixture.store.collectGarbage(keepingRuns: 1, history: fixture.store.openHistory())
        XCTAssertEqual(snapshotFiles(fixture.store), [])
    }
}
