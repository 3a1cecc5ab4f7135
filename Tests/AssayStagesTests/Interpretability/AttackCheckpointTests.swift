import AssayData
import AssayEngine
import AssayNN
@testable import AssayStages
import AssaySupport
import XCTest

/// An attack interrupted after a checkpoint resumes from it and ends with the bytes of an
/// uninterrupted run (weights, Adam's moments, the random generator and the re-mined hinges).
final class AttackCheckpointTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("attack-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testInterruptedAttackResumesFromItsCheckpointToTheSameModel() throws {
        let fixture = try InterpretabilityFixture.trained(directory: directory)
        let test = fixture.test
        let choice = try AttackSuite.choose(fixture.network, layer: "conv2", channels: 16, test: test)
        var suite = AttackSuite(
            network: fixture.network, train: fixture.train, test: test, unit: choice.unit, head: NetworkUnit(layer: "fc1", channel: 1),
            concept: test, decoy: test.subset((0..<test.count).filter { test.labels[$0] == choice.decoy }), target: directory.appendingPathComponent("unused.png"))
        // Push-up re-mines its hinges from the student every 10 steps: the resumed run must re-mine the same ones.
        suite.steps = 2 * AttackOperator.checkpointEvery + 20
        suite.batchSize = 16
        let stages: Set<String> = ["fixture", "decoyed"]

        let (uninterrupted, _) = try suite.run(in: directory.appendingPathComponent("a"), only: stages)
        XCTAssertEqual(uninterrupted.status, .succeeded)

        let second = directory.appendingPathComponent("b")
        let engine = try suite.engine(in: second)
        let stopAt = AttackOperator.checkpointEvery + 10
        let first = try engine.run(Plan(nodes: suite.nodes.filter { stages.contains($0.id) }), options: RunOptions(threadsPerStage: 2, recordHistory: false)) { event in
            if case .stageProgress(_, "decoyed", let progress) = event, progress.countsSteps, progress.step == stopAt { engine.cancel() }
        }
        XCTAssertNotEqual(first.report(stage: "decoyed")?.status, .executed, "the attack should have been interrupted")
        let messages = MessageLog()
        let (resumed, _) = try suite.run(in: second, only: stages) { event in
            if case .stageProgress(_, "decoyed", let progress) = event { messages.append(progress.message) }
        }
        XCTAssertTrue(messages.all.contains("resumed after step \(AttackOperator.checkpointEvery)"), "\(messages.all.prefix(3))")
        XCTAssertFalse(messages.all.contains("resumed after step \(2 * AttackOperator.checkpointEvery)"))
        XCTAssertEqual(resumed.report(stage: "decoyed")?.outputs["model"], uninterrupted.report(stage: "decoyed")?.outputs["model"])
        XCTAssertEqual(resumed.report(stage: "decoyed")?.outputs["metrics"], uninterrupted.report(stage: "decoyed")?.outputs["metrics"])
    }
}
