import AssaySupport
import XCTest

@testable import AssayEngine

final class ActionRecordTests: XCTestCase {
    func testRecordRoundTripsThroughItsEncoding() throws {
        let record = ActionRecord(
            key: Digest.of("k"), stage: "train model", operatorName: "train", operatorVersion: 3,
            parameters: Array("{\"lr\":0.001,\"note\":\"a b\\nc\"}".utf8),
            inputs: [(slot: "data", digest: Digest.of("d")), (slot: "100% labels", digest: Digest.of("l"))],
            outputs: [.init(name: "weights", digest: Digest.of("w"), size: 12, modifiedNanoseconds: 1_700_000_000_123_456_789)],
            metrics: ["loss": 0.25, "worst group accuracy": 0.8125], tables: ["groups": Array("[1,2]\n--\n".utf8)],
            duration: 1.5, createdAt: 1_700_000_000.25)
        let decoded = try ActionRecord.decode(record.encoded(), path: "test")
        XCTAssertEqual(decoded, record)
    }

    func testLargeRecordRoundTripsThroughTheStore() throws {
        let fixture = try EngineFixture()
        let table = Array(String(repeating: "[0.25,0.5],", count: 2000).utf8)
        let record = ActionRecord(
            key: Digest.of("big"), stage: "report", operatorName: "report", operatorVersion: 1, parameters: Array("{}".utf8),
            inputs: [], outputs: [], metrics: [:], tables: ["rows": table], duration: 0.5, createdAt: 1)
        try fixture.store.write(record)
        XCTAssertEqual(try fixture.store.actionRecord(for: record.key), record)
        XCTAssertNil(try fixture.store.actionRecord(for: Digest.of("absent")))
    }

    func testTruncatedRecordIsAnError() throws {
        let record = ActionRecord(
            key: Digest.of("k"), stage: "s", operatorName: "o", operatorVersion: 1, parameters: Array("{}".utf8),
            inputs: [], outputs: [], metrics: [:], tables: [:], duration: 0, createdAt: 0)
        let bytes = record.encoded()
        XCTAssertThrowsError(try ActionRecord.decode(Array(bytes.dropLast()), path: "actions/xx")) { error in
            XCTAssertTrue("\(error)".contains("actions/xx"))
        }
    }

    private static let scored = ActionRecord(
        key: Digest.of("k"), stage: "erm-eval", operatorName: "evaluate", operatorVersion: 1, parameters: Array("{}".utf8),
        inputs: [], outputs: [], metrics: ["accuracy": 0.881], tables: [:], duration: 1, createdAt: 2)

    func testEditedMetricIsRefusedByTheChecksum() throws {
        let text = String(decoding: Self.scored.encoded(), as: UTF8.self)
        XCTAssertTrue(text.contains("metric accuracy 0.881\n"))
        let edited = Array(text.replacingOccurrences(of: "metric accuracy 0.881", with: "metric accuracy 0.999").utf8)
        XCTAssertThrowsError(try ActionRecord.decode(edited, path: "actions/ab/abcd")) { error in
            XCTAssertTrue("\(error)".contains("checksum does not match"), "\(error)")
        }
        let flipped = Self.scored.encoded().enumerated().map { $0.offset == 20 ? $0.element ^ 1 : $0.element }
        XCTAssertThrowsError(try ActionRecord.decode(flipped, path: "actions/ab/abcd"))
    }

    func testRecordWithoutChecksumIsReadAsBeforeAndSaidToBeUnsealed() throws {
        let lines = String(decoding: Self.scored.encoded(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.filter { $0.hasPrefix("checksum ") }.count, 1)
        let old = Array(lines.filter { !$0.hasPrefix("checksum ") }.joined(separator: "\n").utf8)
        let (record, sealed) = try ActionRecord.decodeReportingSeal(old, path: "old")
        XCTAssertEqual(record, Self.scored)
        XCTAssertFalse(sealed)
        XCTAssertTrue(try ActionRecord.decodeReportingSeal(Self.scored.encoded(), path: "new").sealed)
    }

    func testEnvironmentRoundTripsAndOlderRecordsWithoutItStillDecode() throws {
        var record = ActionRecord(
            key: Digest.of("k"), stage: "s", operatorName: "o", operatorVersion: 1, parameters: Array("{}".utf8),
            inputs: [], outputs: [], metrics: [:], tables: [:], duration: 0, createdAt: 0)
        // What a record written before the environment was recorded looks like.
        let older = record.encoded()
        XCTAssertFalse(String(decoding: older, as: UTF8.self).contains("\nenv "))
        XCTAssertEqual(try ActionRecord.decode(older, path: "old").environment, [:])
        record.environment = ["cpu": "AMD EPYC 7B13 64-Core", "blas": "OpenBLAS 0.3.21 DYNAMIC_ARCH", "threads": "2", "odd": "100% a\nb"]
        XCTAssertEqual(try ActionRecord.decode(record.encoded(), path: "new"), record)
    }

    func testEnvironmentStaysOutOfTheKeyAndTheRemoteForm() throws {
        // Two machines: same plan, different environments. Same keys, same remote bytes.
        let a = try EngineFixture(), b = try EngineFixture()
        let plan = try EngineFixture.diamond()
        let ra = try Engine(store: a.store, operators: a.operators, environment: { ["cpu": "machine A", "blas": "one"] }).run(plan)
        let rb = try Engine(store: b.store, operators: b.operators, environment: { ["cpu": "machine B", "blas": "other"] }).run(plan, options: RunOptions(threadsPerStage: 7))
        XCTAssertEqual(ra.stages.map(\.key), rb.stages.map(\.key))
        let key = try XCTUnwrap(ra.report(stage: "e")?.key)
        let recordA = try XCTUnwrap(a.store.actionRecord(for: key)), recordB = try XCTUnwrap(b.store.actionRecord(for: key))
        XCTAssertEqual(recordA.environment["cpu"], "machine A")
        XCTAssertEqual(recordB.environment["cpu"], "machine B")
        XCTAssertEqual(recordB.environment["threads"], "7")
        XCTAssertEqual(RemoteCacheSession.remoteForm(of: recordA).encoded(), RemoteCacheSession.remoteForm(of: recordB).encoded())
    }
}
