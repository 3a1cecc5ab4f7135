import AssayEngine
import AssaySupport
import Foundation

@testable import AssayRemote

/// One "machine" of a remote-cache test: its own store in its own directory, an execution
/// log, and a cheap plan — a generated source and three data sets derived from it, each by
/// its own seed, joined by a summary stage.
final class RemoteMachine: @unchecked Sendable {
    let directory: URL
    let store: Store
    private let lock = NSLock()
    private var log: [String] = []
    private var notices: [RemoteCacheNotice] = []
    /// Called inside each execution, before the outputs are written (to kill the server mid-run).
    var duringExecution: (@Sendable (String) -> Void)?
    /// Makes `derive` write other bytes than on other machines (a nondeterministic operator).
    var salt = ""

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-remote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(root: directory.appendingPathComponent(".assay"), durable: false)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static let plan: Plan = {
        var nodes = [PlanNode(id: "source", operatorName: "generate", operatorVersion: 1, parametersJSON: "{\"rows\":64}", inputs: [], outputs: ["data"])]
        for seed in 0..<3 {
            nodes.append(PlanNode(
                id: "split\(seed)", operatorName: "derive", operatorVersion: 1, parametersJSON: "{\"seed\":\(seed)}",
                inputs: [PlanInput(slot: "data", node: "source", output: "data")], outputs: ["data"]))
        }
        nodes.append(PlanNode(
            id: "summary", operatorName: "derive", operatorVersion: 1, parametersJSON: "{\"seed\":99}",
            inputs: (0..<3).map { PlanInput(slot: "in\($0)", node: "split\($0)", output: "data") }, outputs: ["data"]))
        return try! Plan(nodes: nodes)
    }()

    var operators: [String: any StageOperator] {
        let generate = ClosureOperator { [self] node, _, context in
            record(node.id)
            duringExecution?(node.id)
            var random = SeededRandom(seed: 7)
            let bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            try Data(bytes).write(to: context.output(named: "data"))
            return StageResult(metrics: ["rows": 64])
        }
        let derive = ClosureOperator { [self] node, inputs, context in
            record(node.id)
            duringExecution?(node.id)
            var bytes = node.parameters + Array(salt.utf8)
            for slot in inputs.keys.sorted() { bytes += Array(try inputs[slot]!.read().prefix(1024)) }
            try Data(bytes).write(to: context.output(named: "data"))
            return StageResult(metrics: ["bytes": Double(bytes.count)])
        }
        return ["generate": generate, "derive": derive]
    }

    private func record(_ stage: String) {
        lock.lock()
        log.append(stage)
        lock.unlock()
    }

    /// Runs the plan against `remote` (nil: none); returns the result and what the remote reported.
    func run(remote: URL?, token: String? = nil, uploads: Bool = true, force: Set<String> = []) throws
        -> (result: RunResult, executed: [String], notices: [RemoteCacheNotice])
    {
        lock.lock()
        log = []
        notices = []
        lock.unlock()
        let session = remote.map { url -> RemoteCacheSession in
            let http = HTTPRemoteCache(baseURL: url, token: token, timeout: 5)
            return RemoteCacheSession(cache: http, uploads: uploads)
        }
        let engine = Engine(store: store, operators: operators, remote: session)
        let result = try engine.run(RemoteMachine.plan, options: RunOptions(force: force, recordHistory: false)) { [self] event in
            if case .remoteNotice(_, _, let notice) = event {
                lock.lock()
                notices.append(notice)
                lock.unlock()
            }
        }
        lock.lock()
        defer { lock.unlock() }
        return (result, log.sorted(), notices)
    }

    /// Every output's bytes by stage, read from this machine's store.
    func artifacts(_ result: RunResult) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for stage in result.stages { out[stage.stage] = try store.readObject(stage.outputs["data"]!) }
        return out
    }
}

extension RemoteCacheNotice {
    var isUnavailable: Bool { if case .unavailable = self { return true } else { return false } }
    var isCorrupt: Bool { if case .corrupt = self { return true } else { return false } }
    var isConflict: Bool { if case .conflict = self { return true } else { return false } }
}
