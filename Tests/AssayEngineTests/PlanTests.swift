import XCTest

@testable import AssayEngine

final class PlanTests: XCTestCase {
    private func node(_ id: String, reads: [String]) -> PlanNode {
        PlanNode(
            id: id, operatorName: "concat", parametersJSON: "{}",
            inputs: reads.enumerated().map { PlanInput(slot: "in\($0.offset)", node: $0.element, output: "out") }, outputs: ["out"])
    }

    func testCycleIsReportedWithItsStagesInDataFlowOrder() {
        XCTAssertThrowsError(try Plan(nodes: [node("a", reads: []), node("b", reads: ["a", "d"]), node("c", reads: ["b"]), node("d", reads: ["c"])])) { error in
            guard case .cycle(let stages)? = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(stages.first, stages.last)
            XCTAssertEqual(Set(stages), ["b", "c", "d"])
            // Each stage in the list feeds the next one.
            XCTAssertTrue(["b → c → d → b", "c → d → b → c", "d → b → c → d"].contains(stages.joined(separator: " → ")), "\(stages)")
        }
    }

    func testSelfLoopIsACycle() {
        XCTAssertThrowsError(try Plan(nodes: [node("a", reads: ["a"])])) { error in
            XCTAssertEqual(error as? EngineError, .cycle(["a", "a"]))
        }
    }

    func testUnknownStageAndOutputAreNamed() {
        XCTAssertThrowsError(try Plan(nodes: [node("a", reads: ["ghost"])])) { error in
            XCTAssertEqual(error as? EngineError, .unknownStage(stage: "a", slot: "in0", reference: "ghost"))
        }
        let reader = PlanNode(id: "b", operatorName: "concat", parametersJSON: "{}", inputs: [PlanInput(slot: "x", node: "a", output: "weights")], outputs: ["out"])
        XCTAssertThrowsError(try Plan(nodes: [node("a", reads: []), reader])) { error in
            XCTAssertEqual(error as? EngineError, .unknownOutput(stage: "b", slot: "x", producer: "a", output: "weights", available: ["out"]))
            XCTAssertTrue("\(error)".contains("`a` only has outputs `out`"))
        }
    }

    func testDuplicateStageIsRejected() {
        XCTAssertThrowsError(try Plan(nodes: [node("a", reads: []), node("a", reads: [])])) { error in
            XCTAssertEqual(error as? EngineError, .duplicateStage("a"))
        }
    }

    func testOrderIsTopologicalAndStable() throws {
        let plan = try Plan(nodes: [node("c", reads: ["b"]), node("a", reads: []), node("b", reads: ["a"]), node("d", reads: [])])
        XCTAssertEqual(plan.order.map { plan.nodes[$0].id }, ["a", "b", "c", "d"])
        XCTAssertEqual(plan.downstream(of: [1]).map { plan.nodes[$0].id }.sorted(), ["a", "b", "c"])
        XCTAssertEqual(plan.upstream(of: [0]).map { plan.nodes[$0].id }.sorted(), ["a", "b", "c"])
    }

    func testInputsAreOrderedBySlotSoKeysIgnoreDeclarationOrder() {
        let x = PlanNode(id: "n", operatorName: "op", parametersJSON: "{}", inputs: [PlanInput(slot: "b", node: "p", output: "o"), PlanInput(slot: "a", node: "q", output: "o")], outputs: [])
        XCTAssertEqual(x.inputs.map(\.slot), ["a", "b"])
    }
}
