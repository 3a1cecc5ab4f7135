import AssayData
import AssayEngine
import AssayNN
@testable import AssayStages
import XCTest

/// Same seed and thread count → bit-identical artifacts: attacks (natural-FV and circuit) and
/// circuits, computed in two independent stores.
final class InterpretabilityDeterminismTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fv-determinism-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func suite(head: NetworkUnit) throws -> AttackSuite {
        let fixture = try InterpretabilityFixture.trained(directory: directory)
        var suite = AttackSuite(network: fixture.network, train: fixture.train, test: fixture.test, unit: NetworkUnit(layer: "conv2", channel: 3), head: head,
                                concept: fixture.test, decoy: fixture.test, target: directory.appendingPathComponent("unused.png"))
        suite.steps = 40
        suite.batchSize = 16
        return suite
    }

    func testAttacksAndCircuitsAreBitIdenticalAcrossRuns() throws {
        let stages: Set<String> = ["fixture", "hidden", "broken", "circuit-before", "circuit-after"]
        let suite = try suite(head: NetworkUnit(layer: "fc1", channel: 1))
        let (a, _) = try suite.run(in: directory.appendingPathComponent("a"), only: stages)
        let (b, _) = try suite.run(in: directory.appendingPathComponent("b"), only: stages)
        XCTAssertEqual(a.status, .succeeded)
        for (stage, output) in [("hidden", "model"), ("hidden", "metrics"), ("broken", "model"), ("broken", "metrics"),
                                ("circuit-before", "circuit"), ("circuit-after", "circuit")] {
            let first = try XCTUnwrap(a.report(stage: stage)?.outputs[output], "\(stage).\(output)")
            XCTAssertEqual(b.report(stage: stage)?.outputs[output], first, "\(stage).\(output) differs between two runs")
            XCTAssertEqual(b.report(stage: stage)?.status, .executed, "\(stage) was computed again, not taken from a cache")
        }
    }

    func testTheCircuitAttackBreaksTheCircuitOfItsUnit() throws {
        // The attack's `unit` is the head: another head gives another original circuit and another model.
        let stages: Set<String> = ["fixture", "broken"]
        let (one, _) = try suite(head: NetworkUnit(layer: "fc1", channel: 1)).run(in: directory.appendingPathComponent("one"), only: stages)
        let (other, _) = try suite(head: NetworkUnit(layer: "fc1", channel: 4)).run(in: directory.appendingPathComponent("other"), only: stages)
        XCTAssertEqual(other.status, .succeeded)
        XCTAssertNotEqual(one.report(stage: "broken")?.outputs["model"], other.report(stage: "broken")?.outputs["model"])
        // …and the measured head is the declared one: its output is what the attack preserves.
        for result in [one, other] {
            let metrics = try XCTUnwrap(result.report(stage: "broken")?.metrics)
            XCTAssertGreaterThan(metrics["head-correlation"] ?? 0, 0.9, "\(metrics)")
        }
    }
}
