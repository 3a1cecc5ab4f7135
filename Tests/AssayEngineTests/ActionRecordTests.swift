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
}
