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
}
