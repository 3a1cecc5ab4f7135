import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

/// A temporary store, an execution log, and a few operators whose outputs are a pure function
/// of their parameters and inputs — so tests can assert exactly which stages ran.
final class EngineFixture: @unchecked Sendable {
    let directory: URL
    let store: Store
    private let lock = NSLock()
    private var log: [String] = []
    /// Stages that fail when executed.
    var failing: Set<String> = []

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(root: directory.appendingPathComponent(".assay"))
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func record(_ stage: String) {
        lock.lock()
        log.append(stage)
        lock.unlock()
    }

    /// The stages executed since the last call, sorted (parallel order is not deterministic).
    func executed() -> [String] {
        lock.lock()
        defer { log = []; lock.unlock() }
        return log.sorted()
    }

    /// `concat`: output `out` = parameters ‖ each input's bytes in slot order.
    /// `constant`: output `out` = the `value` field only (so other parameters do not change its bytes).
    var operators: [String: any StageOperator] {
        let concat = ClosureOperator { [self] node, inputs, context in
            record(node.id)
            if failing.contains(node.id) { throw EngineError.stageFailed(stage: node.id, message: "boom") }
            var bytes = node.parameters
            for slot in inputs.keys.sorted() { bytes += [UInt8](try inputs[slot]!.read()) }
            for output in node.outputs {
                try Data(bytes + Array(output.utf8)).write(to: context.output(named: output))
            }
            return StageResult(metrics: ["size": Double(bytes.count)])
        }
        let constant = ClosureOperator { [self] node, _, context in
            record(node.id)
            let object = try JSONSerialization.jsonObject(with: Data(node.parameters)) as! [String: Any]
            try Data("\(object["value"] ?? "")".utf8).write(to: context.output(named: "out"))
            return StageResult(metrics: ["value": (object["value"] as? Double) ?? 0])
        }
        return ["concat": concat, "constant": constant]
    }

    func engine(operators extra: [String: any StageOperator] = [:]) -> Engine {
        Engine(store: store, operators: operators.merging(extra) { _, new in new })
    }

    /// a → b → c, d alone, e ← (a, d).
    static func diamondNodes(parameters: [String: String] = [:], versions: [String: Int] = [:]) -> [PlanNode] {
        func node(_ id: String, _ inputs: [String]) -> PlanNode {
            PlanNode(
                id: id, operatorName: "concat", operatorVersion: versions[id] ?? 1,
                parametersJSON: parameters[id] ?? "{\"name\":\"\(id)\"}",
                inputs: inputs.enumerated().map { PlanInput(slot: "in\($0.offset)", node: $0.element, output: "out") },
                outputs: ["out"])
        }
        return [node("a", []), node("b", ["a"]), node("c", ["b"]), node("d", []), node("e", ["a", "d"])]
    }

    static func diamond(parameters: [String: String] = [:], versions: [String: Int] = [:]) throws -> Plan {
        try Plan(nodes: diamondNodes(parameters: parameters, versions: versions))
    }

    /// A straight chain s0 → s1 → … of `count` concat stages.
    static func chain(_ count: Int, salt: String = "") throws -> Plan {
        try Plan(nodes: (0..<count).map { i in
            PlanNode(
                id: "s\(i)", operatorName: "concat", parametersJSON: "{\"i\":\(i)\(salt)}",
                inputs: i == 0 ? [] : [PlanInput(slot: "x", node: "s\(i - 1)", output: "out")], outputs: ["out"])
        })
    }
}

/// Collects events from any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [EngineEvent] = []

    var observer: @Sendable (EngineEvent) -> Void {
        { [self] event in
            lock.lock()
            events.append(event)
            lock.unlock()
        }
    }

    var all: [EngineEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }
}
