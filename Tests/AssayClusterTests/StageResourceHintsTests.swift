import AssayEngine
import XCTest
@testable import AssayCluster

final class StageResourceHintsTests: XCTestCase {
    private func resources(_ hints: [String: String]) throws -> SlurmResources {
        try StageResourceHints.resources(of: TestOperators.node("train", "emit", "{}", resources: hints))
    }

    func testBaseUnitsAsTheLanguageLowersThem() throws {
        let parsed = try resources(["cpus": "4", "memory": "\(8 << 30)", "time": "7200", "partition": "gpu", "gpus": "1"])
        XCTAssertEqual(parsed, SlurmResources(cpus: 4, memoryMegabytes: 8192, timeLimitSeconds: 7200, partition: "gpu", gpus: 1))
    }

    func testMemorySizesWithUnitsRoundUpToMebibytes() {
        XCTAssertEqual(StageResourceHints.megabytes(fromMemory: "512M"), 512)
        XCTAssertEqual(StageResourceHints.megabytes(fromMemory: "8GiB"), 8192)
        XCTAssertEqual(StageResourceHints.megabytes(fromMemory: "1.5G"), 1536)
        XCTAssertEqual(StageResourceHints.megabytes(fromMemory: "1000"), 1)
        XCTAssertEqual(StageResourceHints.megabytes(fromMemory: "1TB"), 1 << 20)
        XCTAssertNil(StageResourceHints.megabytes(fromMemory: "lots"))
        XCTAssertNil(StageResourceHints.megabytes(fromMemory: "-1G"))
    }

    func testDurationsInEveryAcceptedForm() {
        XCTAssertEqual(StageResourceHints.seconds(fromDuration: "90"), 90)
        XCTAssertEqual(StageResourceHints.seconds(fromDuration: "90s"), 90)
        XCTAssertEqual(StageResourceHints.seconds(fromDuration: "30m"), 1800)
        XCTAssertEqual(StageResourceHints.seconds(fromDuration: "2h"), 7200)
        XCTAssertEqual(StageResourceHints.seconds(fromDuration: "1.5d"), 129_600)
        XCTAssertEqual(StageResourceHints.seconds(fromDuration: "10:00"), 600)
        XCTAssertEqual(StageResourceHints.seconds(fromDuration: "1:30:00"), 5400)
        XCTAssertEqual(StageResourceHints.seconds(fromDuration: "1-12:00:00"), 129_600)
        XCTAssertNil(StageResourceHints.seconds(fromDuration: "soon"))
        XCTAssertNil(StageResourceHints.seconds(fromDuration: "0"))
        XCTAssertNil(StageResourceHints.seconds(fromDuration: "1:2:3:4"))
    }

    func testMissingHintsStayMissingAndOtherKeysAreIgnored() throws {
        XCTAssertEqual(try resources(["threads": "8", "partition": ""]), SlurmResources())
    }

    func testUnreadableHintNamesTheStageKeyAndValue() {
        XCTAssertThrowsError(try resources(["cpus": "0"])) { error in
            XCTAssertEqual(error as? StageResourceHints.HintError,
                           .unreadable(stage: "train", key: "cpus", value: "0", expected: "a whole number of CPUs of at least 1"))
        }
        XCTAssertThrowsError(try resources(["memory": "plenty"])) { error in
            XCTAssertTrue("\(error)".contains("stage `train`: resource `memory` is `plenty`"), "\(error)")
        }
    }
}
