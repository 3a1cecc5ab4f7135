import XCTest
@testable import AssayCluster

final class SlurmOutputParsingTests: XCTestCase {
    func testParsableSubmissionReadsPlainAndFederatedIds() {
        XCTAssertEqual(SlurmJobID(parsableSubmission: "4242\n"), SlurmJobID("4242"))
        XCTAssertEqual(SlurmJobID(parsableSubmission: "4242;cluster\n"), SlurmJobID("4242"))
        XCTAssertNil(SlurmJobID(parsableSubmission: "sbatch: error: Batch job submission failed"))
        XCTAssertNil(SlurmJobID(parsableSubmission: ""))
    }

    func testJobIdsSortNumerically() {
        XCTAssertEqual([SlurmJobID("10"), SlurmJobID("9"), SlurmJobID("100")].sorted(), [SlurmJobID("9"), SlurmJobID("10"), SlurmJobID("100")])
    }

    func testStateNamesMapOntoTypedStates() {
        let cases: [(String, SlurmJobState)] = [
            ("PENDING", .pending), ("RUNNING", .running), ("COMPLETING", .running), ("COMPLETED", .completed),
            ("FAILED", .failed), ("CANCELLED", .cancelled), ("CANCELLED by 0", .cancelled), ("CANCELLED+", .cancelled),
            ("TIMEOUT", .timeout), ("DEADLINE", .timeout), ("NODE_FAIL", .nodeFail), ("BOOT_FAIL", .nodeFail),
            ("OUT_OF_MEMORY", .outOfMemory), ("REQUEUED", .pending),
        ]
        for (name, state) in cases {
            XCTAssertEqual(SlurmJobState(slurmName: name), state, name)
        }
        XCTAssertNil(SlurmJobState(slurmName: "EXPLODED"))
    }

    func testOnlyEndedStatesAreFinishedAndOnlyCompletedSucceeds() {
        XCTAssertEqual(SlurmJobState.allCases.filter(\.isFinished), [.completed, .failed, .cancelled, .timeout, .nodeFail, .outOfMemory])
        XCTAssertEqual(SlurmJobState.allCases.filter(\.isSuccess), [.completed])
    }

    func testSqueueLinesKeepAReasonContainingTheDelimiter() throws {
        let entries = try SlurmQueueEntry.parse(squeueOutput: "2|FAILED|NonZeroExitCode\n3|PENDING|Dependency\n4|RUNNING|None\n5|PENDING|odd|reason\n")
        XCTAssertEqual(entries, [
            SlurmQueueEntry(id: SlurmJobID("2"), state: .failed, reason: "NonZeroExitCode"),
            SlurmQueueEntry(id: SlurmJobID("3"), state: .pending, reason: "Dependency"),
            SlurmQueueEntry(id: SlurmJobID("4"), state: .running, reason: "None"),
            SlurmQueueEntry(id: SlurmJobID("5"), state: .pending, reason: "odd|reason"),
        ])
    }

    func testSqueueLineWithoutFieldsIsAnError() {
        XCTAssertThrowsError(try SlurmQueueEntry.parse(squeueOutput: "garbage\n")) { error in
            guard case SlurmError.unexpectedOutput = error else { return XCTFail("\(error)") }
        }
    }

    func testSacctRecordsSkipStepsAndReadExitCodes() throws {
        let output = "2|FAILED|3:0\n2.batch|FAILED|3:0\n4|CANCELLED by 0|0:15\n3|CANCELLED|0:0\n\n"
        XCTAssertEqual(try SlurmAccountingRecord.parse(sacctOutput: output), [
            SlurmAccountingRecord(id: SlurmJobID("2"), state: .failed, exit: SlurmExitStatus(status: 3, signal: 0)),
            SlurmAccountingRecord(id: SlurmJobID("3"), state: .cancelled, exit: SlurmExitStatus(status: 0, signal: 0)),
            SlurmAccountingRecord(id: SlurmJobID("4"), state: .cancelled, exit: SlurmExitStatus(status: 0, signal: 15)),
        ])
    }

    func testSacctRequeuedJobKeepsItsLastLine() throws {
        let records = try SlurmAccountingRecord.parse(sacctOutput: "7|NODE_FAIL|0:0\n7|COMPLETED|0:0\n")
        XCTAssertEqual(records.map(\.state), [.completed])
    }

    func testSacctUnreadableExitCodeIsAnError() {
        XCTAssertThrowsError(try SlurmAccountingRecord.parse(sacctOutput: "2|FAILED|three\n"))
        XCTAssertNil(SlurmExitStatus(sacctField: "1"))
    }
}
