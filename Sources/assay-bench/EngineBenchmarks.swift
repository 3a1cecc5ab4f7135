import AssayEngine
import AssaySupport
import Foundation

/// Engine benchmarks: the no-op CLI path (`assay run`, `plan`, `status` of a 1,001- and a
/// 10,001-stage experiment, timed from outside the process, beside their targets), the engine
/// alone on large plans (keys, action-cache lookups, hit checks, the history write) and
/// SHA-256 throughput.
///
/// `ASSAY_BENCH_ASSAY=PATH` times another `assay` binary; `ASSAY_BENCH_KEEP=DIR` keeps the
/// generated experiments and their stores in DIR (to profile
/// one command with callgrind or strace).
enum EngineBenchmarks {
    static func run(report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        do {
            if let assay = CLIBenchmarks.assayExecutable() {
                var summaries: [CLIBenchmarks.Summary] = []
                let keep = ProcessInfo.processInfo.environment["ASSAY_BENCH_KEEP"].map { URL(fileURLWithPath: $0) }
                for splits in [1_000, 10_000] {
                    let folder = keep?.appendingPathComponent("fan-\(splits)")
                    for s in try CLIBenchmarks.measure(assay: assay, splits: splits, repeats: splits > 1_000 ? 5 : 9, keep: folder) {
                        let name = "engine.cli_noop_\(s.command)_\(s.stages)_stages"
                        report(name + "_wall_median", s.medianWall * 1000, "ms")
                        report(name + "_wall_min", s.minWall * 1000, "ms")
                        report(name + "_wall_max", s.maxWall * 1000, "ms")
                        report(name + "_cpu_median", s.medianCPU * 1000, "ms")
                        report(name + "_system_median", s.medianSystem * 1000, "ms")
                        summaries.append(s)
                    }
                }
                let table = CLIBenchmarks.table(summaries, cores: ProcessInfo.processInfo.activeProcessorCount)
                FileHandle.standardError.write(Data((table + "\n").utf8))
            } else {
                report("engine.cli_skipped: no `assay` binary beside assay-bench (swift build -c release first)", .nan, "")
            }
            // Wall time, and CPU time: on a shared machine the second is the stable number.
            for stages in [1_000, 10_000] {
                let (wall, cpu) = try noOpRerunTimes(stages: stages)
                report("engine.noop_rerun_\(stages)_stages", wall * 1000, "ms")
                report("engine.noop_rerun_\(stages)_stages_cpu", cpu * 1000, "ms")
            }
            let (wall, cpu) = try hashingThroughputs(megabytes: 512)
            report("engine.sha256_large_artifact", wall, "GB/s")
            report("engine.sha256_large_artifact_cpu", cpu, "GB/s")
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
        try noOpRerunTimes(stages: stages, keep: keep).wall
    }

    /// Median wall and process-CPU seconds of a no-op rerun.
    static func noOpRerunTimes(stages: Int, keep: URL? = nil) throws -> (wall: Double, cpu: Double) {
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
        var walls: [Double] = []
        var cpus: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID)
            let again = try Engine(store: store, operators: ["tag": tag]).run(plan, options: RunOptions(jobs: 2))
            cpus.append(cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpuStart)
            walls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            guard again.hits.count == stages else { throw EngineError.stageFailed(stage: "rerun", message: "not all hits") }
        }
        return (walls.sorted()[walls.count / 2], cpus.sorted()[cpus.count / 2])
    }

    static func cpuSeconds(_ clock: clockid_t) -> Double {
        var t = timespec()
        clock_gettime(clock, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Hashes a file of `megabytes` MiB from the page cache (best of 3), in GB/s of wall time
    /// and of this thread's CPU time.
    static func hashingThroughputs(megabytes: Int) throws -> (wall: Double, cpu: Double) {
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
        var best = (wall: 0.0, cpu: 0.0)
        let bytes = Double(megabytes << 20)
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
            _ = try Store.digest(ofFileAt: url)
            let cpu = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = (max(best.wall, bytes / wall / 1e9), max(best.cpu, bytes / cpu / 1e9))
        }
        return best
    }
}
