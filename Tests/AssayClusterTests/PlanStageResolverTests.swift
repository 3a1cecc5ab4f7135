import AssayEngine
import AssaySupport
import Foundation
import XCTest
@testable import AssayCluster

final class PlanStageResolverTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("resolver-\(UUID().uuidString)")
        addTeardownBlock { [root] in try? FileManager.default.removeItem(at: root!) }
    }

    private let plan = try! Plan(nodes: [
        TestOperators.node("a", "emit", #"{"text":"a"}"#),
        TestOperators.node("b", "join", #"{"text":"b"}"#, inputs: ["a"]),
        TestOperators.node("c", "join", #"{"text":"c"}"#, inputs: ["b", "a"]),
    ])

    func testResolvedJobHasTheKeyAndInputsTheEngineComputes() throws {
        let store = try Store(root: root)
        let local = try Engine(store: store, operators: TestOperators.all).run(plan, options: RunOptions(recordHistory: false))
        var resolver = PlanStageResolver(plan: plan, store: store)
        let job = try resolver.job(for: "c", threads: 2)
        XCTAssertEqual(job.key, local.stages[2].key)
        XCTAssertEqual(job.inputs, ["in0": local.stages[1].outputs["out"]!, "in1": local.stages[0].outputs["out"]!])
        XCTAssertEqual(job.threads, 2)
        XCTAssertEqual(job.node, plan["c"])
    }

    func testStageWhoseUpstreamHasNoResultCannotBeResolved() throws {
        let store = try Store(root: root)
        _ = try Engine(store: store, operators: TestOperators.all).run(try Plan(nodes: [plan["a"]!]), options: RunOptions(recordHistory: false))
        var resolver = PlanStageResolver(plan: plan, store: store)
        XCTAssertNoThrow(try resolver.job(for: "b", threads: 1))
        XCTAssertThrowsError(try resolver.job(for: "c", threads: 1)) { error in
            XCTAssertEqual(error as? PlanStageResolver.ResolutionError, .upstreamNotComputed(stage: "c", upstream: "b"))
        }
        XCTAssertThrowsError(try resolver.job(for: "z", threads: 1)) { error in
            XCTAssertEqual(error as? PlanStageResolver.ResolutionError, .unknownStage("z"))
        }
    }

    func testPlanFileIsContentAddressedAndReadsBackTheSamePlan() throws {
        let store = try Store(root: root)
        let path = try PlanFile.write(plan, into: store)
        XCTAssertEqual(try PlanFile.write(plan, into: store), path)
        XCTAssertEqual(try PlanFile.read(from: path).nodes, plan.nodes)
        let other = try Plan(nodes: [TestOperators.node("a", "emit", #"{"text":"other"}"#)])
        XCTAssertNotEqual(try PlanFile.write(other, into: store), path)
    }
}
