import AssayEngine
import Foundation

/// The job side of the Slurm executor: runs one stage job against the
/// shared store and reports how it ended. The `assay run-stage` subcommand
/// is a thin wrapper: it builds a `StageRunner` with the operators, calls
/// `run`, writes `message` (if any) to stderr and exits with `exitStatus`.
public enum ClusterStageCommand {
    public struct Result: Equatable, Sendable {
        public var exitStatus: Int32
        /// For the job's output file: why the stage did not succeed.
        public var message: String?
    }

    /// Runs the stage.
    ///
    /// - Parameter threads: for the plan form (a `StageJob` carries its own);
    ///   nil: the CPUs Slurm gave the job (`SLURM_CPUS_PER_TASK`), else 1.
    /// - Parameter isCancelled: polled by the operator; wire it to SIGTERM,
    ///   which `scancel` sends before it kills the job.
    public static func run(
        _ invocation: ClusterStageInvocation, runner: StageRunner, threads: Int? = nil,
        isCancelled: @escaping @Sendable () -> Bool = { false },
        remoteNotices: @escaping @Sendable (RemoteCacheNotice) -> Void = { _ in }
    ) -> Result {
        let job: StageJob
        do {
            let slurmCPUs = ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"].flatMap { Int($0) }
            job = try stageJob(invocation, store: runner.store, threads: max(1, threads ?? slurmCPUs ?? 1))
        } catch {
            // Without the job there is no key to report under: the coordinator
            // falls back to Slurm's state and this message in the output.
            return Result(exitStatus: 1, message: "\(error)")
        }
        let outcome = runner.execute(job, events: { if case .remote(let notice) = $0 { remoteNotices(notice) } }, isCancelled: isCancelled)
        let report = StageOutcomeReport(outcome, key: job.key)
        var message: String?
        switch outcome {
        case .executed, .foundCached, .fetchedRemote: message = nil
        case .failed(let text): message = "stage `\(job.node.id)` failed: \(text)"
        case .cancelled: message = "stage `\(job.node.id)` was cancelled"
        case .corruptInput(let slot, let digest): message = "stage `\(job.node.id)`: input `\(slot)` (object \(digest.short)) is missing or corrupt"
        }
        do {
            try report.write(to: invocation.outcomePath)
        } catch {
            let note = "cannot write the outcome file \(invocation.outcomePath): \(error)"
            return Result(exitStatus: 1, message: message.map { $0 + "; " + note } ?? note)
        }
        return Result(exitStatus: report.exitStatus, message: message)
    }

    struct UnreadableJob: Error, CustomStringConvertible {
        let description: String
    }

    static func stageJob(_ invocation: ClusterStageInvocation, store: Store, threads: Int = 1) throws -> StageJob {
        switch invocation.source {
        case .job(let path):
            do {
                return try JSONDecoder().decode(StageJob.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw UnreadableJob(description: "cannot read the stage job \(path): \(error)")
            }
        case let .planStage(planPath, stage):
            let plan: Plan
            do { plan = try PlanFile.read(from: planPath) } catch {
                throw UnreadableJob(description: "cannot read the plan \(planPath): \(error)")
            }
            var resolver = PlanStageResolver(plan: plan, store: store)
            return try resolver.job(for: stage, threads: threads)
        }
    }
}
