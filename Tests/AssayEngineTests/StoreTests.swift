import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

final class StoreTests: XCTestCase {
    /// Overwrites an object in place (it is read-only, as a careless user or a bad disk would).
    private func corrupt(_ store: Store, _ digest: Digest, keepingModificationTime: Bool = false) throws {
        let path = store.objectPath(digest)
        chmod(path, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[0] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        if keepingModificationTime {
            // Restore the recorded mtime to the nanosecond, as a timestamp-preserving tool would.
            let recorded = try XCTUnwrap(recordedModificationTime)
            let time = timespec(tv_sec: Int(recorded / 1_000_000_000), tv_nsec: Int(recorded % 1_000_000_000))
            var times = [time, time]
            XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        }
    }

    private var recordedModificationTime: Int64?

    func testCorruptedCachedObjectIsDetectedReportedAndRebuilt() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        let first = try fixture.engine().run(plan)
        _ = fixture.executed()
        let digest = try XCTUnwrap(first.report(stage: "b")?.outputs["out"])
        try corrupt(fixture.store, digest)
        let events = EventLog()
        let second = try fixture.engine().run(plan, observer: events.observer)
        XCTAssertEqual(fixture.executed(), ["b"], "b is rebuilt; its bytes are the same again, so c is a hit")
        XCTAssertEqual(second.report(stage: "b")?.outputs["out"], digest)
        XCTAssertTrue(events.all.contains { if case .objectCorrupt(_, "b", digest, _) = $0 { return true } else { return false } })
        XCTAssertEqual(try fixture.store.readObject(digest).count, Int(FileSystem.fileStat(fixture.store.objectPath(digest))!.size))
    }

    func testCorruptionThatKeepsTheTimestampIsCaughtWhenTheInputIsRead() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        let first = try fixture.engine().run(plan)
        _ = fixture.executed()
        let digest = try XCTUnwrap(first.report(stage: "a")?.outputs["out"])
        let key = try XCTUnwrap(first.report(stage: "a")?.key)
        recordedModificationTime = try fixture.store.actionRecord(for: key)?.outputs[0].modifiedNanoseconds
        try corrupt(fixture.store, digest, keepingModificationTime: true)
        // A stat check cannot see it; forcing b reads a's output, which is verified on read.
        let events = EventLog()
        let result = try fixture.engine().run(plan, options: RunOptions(force: ["b"]), observer: events.observer)
        XCTAssertEqual(result.status, .succeeded)
        XCTAssertEqual(fixture.executed(), ["a", "b"])
        XCTAssertTrue(events.all.contains { if case .objectCorrupt(_, "b", digest, _) = $0 { return true } else { return false } })
        XCTAssertTrue(try fixture.store.verifyObject(digest))
    }

    func testFullVerificationRehashesEveryHit() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        let first = try fixture.engine().run(plan)
        _ = fixture.executed()
        let digest = try XCTUnwrap(first.report(stage: "d")?.outputs["out"])
        let key = try XCTUnwrap(first.report(stage: "d")?.key)
        recordedModificationTime = try fixture.store.actionRecord(for: key)?.outputs[0].modifiedNanoseconds
        try corrupt(fixture.store, digest, keepingModificationTime: true)
        _ = try fixture.engine().run(plan)
        XCTAssertEqual(fixture.executed(), [], "stat verification trusts an unchanged size and mtime")
        _ = try fixture.engine().run(plan, options: RunOptions(verification: .full))
        XCTAssertEqual(fixture.executed(), ["d"])
    }

    func testEditedActionRecordIsReportedRemovedAndRecomputed() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        let first = try fixture.engine().run(plan)
        _ = fixture.executed()
        let key = try XCTUnwrap(first.report(stage: "c")?.key)
        let path = fixture.store.actionPath(key)
        let size = try XCTUnwrap(first.report(stage: "c")?.metrics["size"])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "metric size \(size)", with: "metric size 999.0").write(toFile: path, atomically: false, encoding: .utf8)

        let events = EventLog()
        let second = try fixture.engine().run(plan, observer: events.observer)
        XCTAssertEqual(fixture.executed(), ["c"], "the edited record is not served")
        XCTAssertEqual(second.report(stage: "c")?.metrics["size"], size)
        XCTAssertTrue(events.all.contains {
            if case .recordDamaged(_, "c", path, let problem, true) = $0 { return problem.contains("checksum") } else { return false }
        })
        XCTAssertNoThrow(try fixture.store.actionRecord(for: key), "the rewritten record is sound")
    }

    func testVerifyAllObjectsRemovesOnlyDamagedOnes() throws {
        let fixture = try EngineFixture()
        let good = try fixture.store.putObject(Array("good".utf8))
        let bad = try fixture.store.putObject(Array("bad".utf8))
        try corrupt(fixture.store, bad)
        XCTAssertEqual(fixture.store.rehashAllObjects(progress: { _, _ in }).corrupt.map(\.digest), [bad])
        XCTAssertTrue(fixture.store.hasObject(good))
        XCTAssertFalse(fixture.store.hasObject(bad))
    }

    func testObjectsArePublishedReadOnlyAndDeduplicated() throws {
        let fixture = try EngineFixture()
        let d1 = try fixture.store.putObject(Array("hello".utf8))
        let d2 = try fixture.store.putObject(Array("hello".utf8))
        XCTAssertEqual(d1, d2)
        XCTAssertEqual(d1, Digest.of("hello"))
        let mode = try FileManager.default.attributesOfItem(atPath: fixture.store.objectPath(d1))[.posixPermissions] as! Int
        XCTAssertEqual(mode & 0o222, 0)
        XCTAssertEqual(FileSystem.contents(of: fixture.store.temporaryPath), [], "no temporary file is left behind")
    }

    func testObjectsAreFoundByADigestPrefix() throws {
        let fixture = try EngineFixture()
        let digests = try (0..<40).map { try fixture.store.putObject(Array("object \($0)".utf8)) }
        let target = digests[7]
        XCTAssertEqual(fixture.store.objects(withPrefix: String(target.hex.prefix(12))), [target])
        XCTAssertEqual(fixture.store.objects(withPrefix: target.hex), [target])
        // Two hex digits name a shard: every object in it, sorted.
        let shard = String(target.hex.prefix(2))
        XCTAssertEqual(fixture.store.objects(withPrefix: shard), digests.filter { $0.hex.hasPrefix(shard) }.sorted { $0.hex < $1.hex })
        XCTAssertEqual(fixture.store.objects(withPrefix: "zz"), [])
        XCTAssertEqual(fixture.store.objects(withPrefix: "a"), [], "one digit is too short to name a shard")
    }

    func testGarbageCollectionKeepsRecentRunsAndPins() throws {
        let fixture = try EngineFixture()
        let old = try fixture.engine().run(try EngineFixture.diamond(parameters: ["d": "{\"v\":\"old\"}"]))
        let pinned = try fixture.engine().run(try EngineFixture.chain(1, salt: ",\"pinned\":1"))
        let recent = try fixture.engine().run(try EngineFixture.diamond())
        try fixture.store.pin("baseline", digests: Array(pinned.report(stage: "s0")!.outputs.values))
        let history = try fixture.store.openHistory()
        let report = try fixture.store.collectGarbage(keepingRuns: 1, history: history)
        let oldD = try XCTUnwrap(old.report(stage: "d")?.outputs["out"])
        XCTAssertEqual(report.objectsRemoved, 2, "the old d and the e that read it; the pinned object stays")
        XCTAssertGreaterThan(report.bytesFreed, 0)
        XCTAssertEqual(FileSystem.contents(of: fixture.store.locksPath), ["store.lock"], "stale lock files are swept too")
        XCTAssertFalse(fixture.store.hasObject(oldD))
        XCTAssertTrue(fixture.store.hasObject(pinned.report(stage: "s0")!.outputs["out"]!))
        for s in recent.stages { XCTAssertTrue(fixture.store.hasObject(s.outputs["out"]!), s.stage) }
        _ = fixture.executed()
        _ = try fixture.engine().run(try EngineFixture.diamond())
        XCTAssertEqual(fixture.executed(), [], "the kept run is still all hits")
        _ = try fixture.engine().run(try EngineFixture.chain(1, salt: ",\"pinned\":1"))
        XCTAssertEqual(fixture.executed(), [], "the pinned output keeps its record")
        _ = try fixture.engine().run(try EngineFixture.diamond(parameters: ["d": "{\"v\":\"old\"}"]))
        XCTAssertEqual(fixture.executed(), ["d", "e"])
    }

    func testGarbageCollectionWaitsForARunningRun() throws {
        let fixture = try EngineFixture()
        _ = try fixture.engine().run(try EngineFixture.chain(2))
        let running = try fixture.store.storeLock()
        XCTAssertTrue(running.tryLock(exclusive: false), "a run holds the store lock shared")
        let done = DispatchSemaphore(value: 0)
        let store = fixture.store
        Thread.detachNewThread {
            _ = try? store.collectGarbage(keepingRuns: 1, history: try store.openHistory())
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 0.3), .timedOut, "gc must not delete under a running run")
        running.unlock()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
    }

    func testMalformedActionRecordIsTreatedAsAMissAndRewritten() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.chain(2)
        let first = try fixture.engine().run(plan)
        _ = fixture.executed()
        let key = try XCTUnwrap(first.report(stage: "s1")?.key)
        try Data("assay-action 1\nkey ".utf8).write(to: URL(fileURLWithPath: fixture.store.actionPath(key)))
        XCTAssertThrowsError(try fixture.store.actionRecord(for: key))
        _ = try fixture.engine().run(plan)
        XCTAssertEqual(fixture.executed(), ["s1"])
        XCTAssertNotNil(try fixture.store.actionRecord(for: key))
    }

    func testExportImportRoundTripMakesTheOtherStoreAllHits() throws {
        let source = try EngineFixture()
        let plan = try EngineFixture.diamond()
        let run = try source.engine().run(plan)
        let archive = source.directory.appendingPathComponent("results.tar")
        let exported = try source.store.exportArchive(runs: [run.runID], history: try source.store.openHistory(), to: archive)
        XCTAssertEqual(exported.records, 5)
        XCTAssertEqual(exported.objects, 5)

        let target = try EngineFixture()
        let imported = try target.store.importArchive(from: archive, history: try target.store.openHistory())
        XCTAssertEqual(imported.records, 5)
        let result = try target.engine().run(plan)
        XCTAssertEqual(target.executed(), [])
        XCTAssertEqual(result.report(stage: "e")?.outputs, run.report(stage: "e")?.outputs)
        XCTAssertEqual(try target.store.importArchive(from: archive).alreadyPresent, 5)
    }

    func testImportRejectsAnArchiveWhoseObjectDoesNotMatchItsDigest() throws {
        let source = try EngineFixture()
        let run = try source.engine().run(try EngineFixture.chain(2))
        let archive = source.directory.appendingPathComponent("results.tar")
        try source.store.exportArchive(keys: run.stages.compactMap(\.key), to: archive)
        var bytes = try Data(contentsOf: archive)
        // The first object's content starts right after the manifest's data blocks and its header.
        let needle = Data("{\"i\":0}".utf8)
        let range = try XCTUnwrap(bytes.range(of: needle))
        bytes[range.lowerBound] = UInt8(ascii: "[")
        try bytes.write(to: archive)
        let target = try EngineFixture()
        XCTAssertThrowsError(try target.store.importArchive(from: archive)) { error in
            XCTAssertTrue("\(error)".contains("does not match its digest"), "\(error)")
        }
    }
}
