import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

final class StoreVerificationTests: XCTestCase {
    /// Flips the first byte of an object and puts its modification time back, so that a stat
    /// check cannot tell.
    private func flipByteKeepingTimestamp(_ store: Store, _ digest: Digest) throws {
        let path = store.objectPath(digest)
        let before = try XCTUnwrap(FileSystem.fileStat(path))
        chmod(path, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[0] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let time = timespec(tv_sec: Int(before.modifiedNanoseconds / 1_000_000_000), tv_nsec: Int(before.modifiedNanoseconds % 1_000_000_000))
        var times = [time, time]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        XCTAssertEqual(FileSystem.fileStat(path), before)
    }

    func testVerifyFindsAFlippedByteAndATamperedRecordRepairsAndSaysWhat() throws {
        let fixture = try EngineFixture()
        let plan = try EngineFixture.diamond()
        let first = try fixture.engine().run(plan)
        _ = fixture.executed()
        let b = try XCTUnwrap(first.report(stage: "b"))
        let c = try XCTUnwrap(first.report(stage: "c"))
        let d = try XCTUnwrap(first.report(stage: "d"))
        let clean = try fixture.store.verify()
        XCTAssertFalse(clean.damageFound)
        XCTAssertEqual(clean.objectsChecked, 5)
        XCTAssertEqual(clean.recordsChecked, 5)
        XCTAssertEqual(clean.unchecksummedRecords, [])

        try flipByteKeepingTimestamp(fixture.store, b.outputs["out"]!)
        let cPath = fixture.store.actionPath(c.key!)
        let text = try String(contentsOfFile: cPath, encoding: .utf8)
        try text.replacingOccurrences(of: "metric size \(c.metrics["size"]!)", with: "metric size 0.999").write(toFile: cPath, atomically: false, encoding: .utf8)
        // A record from before checksums: d's without its checksum line.
        let dPath = fixture.store.actionPath(d.key!)
        let old = try String(contentsOfFile: dPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("checksum ") }.joined(separator: "\n")
        try old.write(toFile: dPath, atomically: false, encoding: .utf8)

        let report = try fixture.store.verify()
        XCTAssertTrue(report.damageFound)
        XCTAssertEqual(report.corruptObjects.map(\.digest), [b.outputs["out"]!])
        XCTAssertFalse(fixture.store.hasObject(b.outputs["out"]!), "the corrupt object was removed")
        let refused = Dictionary(uniqueKeysWithValues: report.refusedRecords.map { ($0.stage ?? "?", $0.problem) })
        XCTAssertEqual(Set(refused.keys), ["b", "c"])
        XCTAssertTrue(refused["b"]!.contains("was corrupt and removed"), refused["b"]!)
        XCTAssertTrue(refused["c"]!.contains("checksum does not match"), refused["c"]!)
        XCTAssertEqual(report.unchecksummedRecords, ["d"])

        let again = try fixture.store.verify()
        XCTAssertFalse(again.damageFound, "what verify removed leaves a sound store")
        XCTAssertEqual(again.unchecksummedRecords, ["d"])
        let rerun = try fixture.engine().run(plan)
        XCTAssertEqual(fixture.executed(), ["b", "c"])
        XCTAssertEqual(rerun.report(stage: "b")?.outputs, b.outputs)
        XCTAssertEqual(rerun.report(stage: "c")?.metrics, c.metrics)
    }

    func testARecordFiledUnderAnotherKeyIsRefused() throws {
        let fixture = try EngineFixture()
        let first = try fixture.engine().run(try EngineFixture.diamond())
        let a = try XCTUnwrap(first.report(stage: "a")?.key)
        let elsewhere = Digest.of("another key")
        try FileSystem.makeDirectory((fixture.store.actionPath(elsewhere) as NSString).deletingLastPathComponent)
        try FileManager.default.copyItem(atPath: fixture.store.actionPath(a), toPath: fixture.store.actionPath(elsewhere))
        let report = try fixture.store.verify()
        XCTAssertEqual(report.refusedRecords.map(\.problem), ["it is filed under another key than the one it records"])
        XCTAssertFalse(FileSystem.exists(fixture.store.actionPath(elsewhere)))
        XCTAssertTrue(FileSystem.exists(fixture.store.actionPath(a)))
    }
}
