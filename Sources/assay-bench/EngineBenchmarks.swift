import AssayEngine
import AssaySupport
import Foundation

/// Engine benchmarks: a no-op rerun of large plans (everything cached: the cost of keys,
/// action-cache lookups, hit checks and the history write) and SHA-256 throughput.
enum EngineBenchmarks {
    static func run(report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        do {
            for stages in [1_000, 10_000] {
                let seconds = try noOpRerun(stages: stages)
                report("engine.noop_rerun_\(stages)_stages", seconds * 1000, "ms")
            }
            report("engine.sha256_large_artifact", try hashingThroughput(megabytes: 512), "GB/s")
        } catch {
            report("engine.error: \(error)", .nan, "")
        }
    }

    /// A layered DAG: stage i reads stage i−1 and stage i/2, so keys chain through the whole plan.
    static func plan(stages: Int) throws -> Plan {
        try Plan(nodes: (0..<stages).map { i in
            var inputs: [PlanInput] = []
            if i > 0 { inputs.append(PlanInput(slot: "previous", node: "s\(i - 1)", output: "out")) }
            if i > 1 { inputs.append(PlanInput(slot: "half", node: "s\(i / 2)", output: "out")) }
            return PlanNode(id: "s\(i)", operatorName: "tag", parametersJSON: "{\"index\":\(i),\"lr\":0.001}", inputs: inputs, outputs: ["out"])
        })
    }

    /// Populates a fresh store with one run, then times full no-op reruns (median of 5).
    /// - Parameter keep: a store directory to reuse (and keep) across invocations, for profiling.
    static func noOpRerun(stages: Int, keep: URL? = nil) throws -> Double {
        let root = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("assay-bench-\(UUID().uuidString)")
        defer { if keep == nil { try? FileManager.default.removeItem(at: root) } }
        // Not durable: populating 10,000 stages with two fsyncs each takes minutes on this disk,
        // and a no-op rerun writes no objects, so the measured path is the same.
        let store = try Store(root: root, durable: false)
        // Each stage writes a few bytes derived from its index: objects are distinct.
        let tag = ClosureOperator { node, _, context in
            try Data(node.parameters).write(to: context.output(named: "out"))
            return StageResult(metrics: ["bytes": Double(node.parameters.count)])
        }
        let engine = Engine(store: store, operators: ["tag": tag])
        let plan = try plan(stages: stages)
        let first = try engine.run(plan, options: RunOptions(jobs: 2, recordHistory: keep == nil))
        guard first.status == .succeeded else { throw EngineError.stageFailed(stage: "populate", message: "\(first.failed)") }
        var times: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            let again = try Engine(store: store, operators: ["tag": tag]).run(plan, options: RunOptions(jobs: 2))
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            guard again.hits.count == stages else { throw EngineError.stageFailed(stage: "rerun", message: "not all hits") }
        }
        return times.sorted()[times.count / 2]
    }

    /// Hashes a file of `megabytes` MiB from the page cache (best of 3), in GB/s.
    static func hashingThroughput(megabytes: Int) throws -> Double {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("assay-bench-hash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        var random = SeededRandom(seed: 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        for _ in 0..<megabytes {
            for i in stride(from: 0, to: chunk.count, by: 8) {
                withUnsafeBytes(of: random.next()) { chunk.replaceSubrange(i..<i + 8, with: $0) }
            }
            try handle.write(contentsOf: chunk)
        }
        try handle.close()
        var best = 0.0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try Store.digest(ofFileAt: url)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, Double(megabytes << 20) / seconds / 1e9)
        }
        return best
    }
}
