import AssayEngine
import AssaySupport
import Foundation

/// Submits a whole plan to Slurm at once: every stage the store has no
/// result for becomes one `sbatch` job, depending (`afterok`) on the jobs of
/// its uncached inputs, with `--kill-on-invalid-dep=yes` so the dependents
/// of a failure end instead of pending forever. Jobs run
/// `assay run-stage --plan … --stage …` (see `ClusterStageInvocation`) and
/// find their inputs in the shared store (`PlanStageResolver`).
///
/// Unlike `SlurmExecutor`, which the engine feeds one ready stage at a time,
/// the whole graph is in Slurm's queue from the start: the coordinator may
/// follow it (`follow`) or leave, and the cluster still finishes the run.
/// What it gives up: stages whose key turns out equal to a cached one (early
/// cutoff) still get a job, which then finds the result and ends at once;
/// forced stages and rebuilding corrupt inputs need the engine's scheduler.
public final class SlurmPlanRun: @unchecked Sendable {
    /// One submitted stage.
    public struct Job: Hashable, Sendable {
        public var stage: String
        public var jobID: SlurmJobID
        public var afterSuccessOf: [SlurmJobID]
        public var scriptPath: String
        public var outputPath: String
        public var outcomePath: String
        public var resources: SlurmResources
    }

    /// How one submitted stage ended.
    public struct StageResult: Sendable {
        public var stage: String
        public var jobID: SlurmJobID
        public var status: SlurmJobStatus
        public var outcome: StageOutcome
        /// Set when Slurm ended the job because a stage it depends on (this
        /// one, upstream) failed.
        public var skippedBecause: String?
    }

    public let plan: Plan
    public let store: Store
    public let client: SlurmClient
    public let configuration: SlurmExecutorConfiguration
    public let jobDirectory: URL

    private let lock = NSLock()
    private var submitted: [Job] = []
    private var cancelRequested = false

    public init(plan: Plan, store: Store, configuration: SlurmExecutorConfiguration, client: SlurmClient = SlurmClient()) throws {
        self.plan = plan
        self.store = store
        self.configuration = configuration
        self.client = client
        jobDirectory = configuration.jobDirectory
            ?? store.root.appendingPathComponent("cluster").appendingPathComponent(SlurmExecutor.makeRunToken())
        try FileManager.default.createDirectory(at: jobDirectory, withIntermediateDirectories: true)
    }

    /// The jobs submitted so far, in submission (topological) order.
    public var jobs: [Job] { lock.withLock { submitted } }

    /// The stages without a valid result in the store, in topological order:
    /// those whose key is known and missing, and everything downstream.
    public func uncachedStages(verification: Store.Verification = .stat) -> [String] {
        var records: [String: ActionRecord] = [:]
        var uncached: [String] = []
        for index in plan.order {
            let node = plan.nodes[index]
            var inputs: [(slot: String, digest: Digest)] = []
            for input in node.inputs {
                guard let digest = records[input.node]?.output(named: input.output)?.digest else { break }
                inputs.append((input.slot, digest))
            }
            if inputs.count == node.inputs.count {
                let key = StageKey.compute(
                    operatorName: node.operatorName, operatorVersion: node.operatorVersion, parameters: node.parameters, inputs: inputs)
                if let record = try? store.actionRecord(for: key), store.check(record, verification: verification) == .valid {
                    records[node.id] = record
                    continue
                }
            }
            uncached.append(node.id)
        }
        return uncached
    }

    /// Writes the plan into the store and submits `stages` (by default the
    /// uncached ones), each after the jobs of its producers among them. If a
    /// submission fails, the jobs already submitted are cancelled.
    @discardableResult
    public func submit(stages: [String]? = nil) throws -> [Job] {
        let selected = Set(stages ?? uncachedStages())
        let planPath = try PlanFile.write(plan, into: store)
        var jobOfStage: [String: SlurmJobID] = [:]
        do {
            for index in plan.order where selected.contains(plan.nodes[index].id) {
                let node = plan.nodes[index]
                try lock.withLock { if cancelRequested { throw EngineError.cancelled } }
                var dependencies: [SlurmJobID] = []
                for input in node.inputs {
                    if let id = jobOfStage[input.node], !dependencies.contains(id) { dependencies.append(id) }
                }
                let job = try submit(node, planPath: planPath, sequence: jobOfStage.count + 1, after: dependencies)
                jobOfStage[node.id] = job.jobID
                lock.withLock { submitted.append(job) }
            }
        } catch {
            try? client.cancel(Array(jobOfStage.values))
            throw error
        }
        return jobs
    }

    private func submit(_ node: PlanNode, planPath: String, sequence: Int, after dependencies: [SlurmJobID]) throws -> Job {
        let base = jobDirectory.appendingPathComponent("\(sequence)-\(SlurmExecutor.fileSafe(node.id))").path
        let invocation = ClusterStageInvocation(
            storePath: store.root.path, source: .planStage(planPath: planPath, stage: node.id), outcomePath: base + ".outcome.json")
        let scriptPath = base + ".sh"
        try Data(invocation.script(assayExecutable: configuration.assayExecutable, stage: node.id).utf8)
            .write(to: URL(fileURLWithPath: scriptPath), options: .atomic)
        let resources = try StageResourceHints.resources(of: node).filled(from: configuration.defaults)
        let request = SlurmJobRequest(
            name: "\(configuration.jobNamePrefix)-\(SlurmExecutor.fileSafe(node.id))", scriptPath: scriptPath,
            outputPath: base + ".out", workingDirectory: jobDirectory.path, resources: resources, account: configuration.account,
            afterSuccessOf: dependencies, killOnInvalidDependency: true)
        let id = try client.submit(request)
        return Job(
            stage: node.id, jobID: id, afterSuccessOf: dependencies, scriptPath: scriptPath, outputPath: base + ".out",
            outcomePath: invocation.outcomePath, resources: resources)
    }

    /// Cancels every submitted job (Slurm ignores those already ended).
    public func cancel() throws {
        let ids: [SlurmJobID] = lock.withLock {
            cancelRequested = true
            return submitted.map(\.jobID)
        }
        try client.cancel(ids)
    }

    /// Follows the jobs until all have ended, calling `onChange` whenever a
    /// job's state changes. Once `isCancelled` turns true, cancels them all
    /// and follows them to their end.
    public func follow(
        isCancelled: () -> Bool = { false }, onChange: (Job, SlurmJobStatus) -> Void = { _, _ in }
    ) -> [StageResult] {
        let jobs = self.jobs
        let poller = SlurmJobPoller(client: client)
        var last: [SlurmJobID: SlurmJobStatus] = [:]
        var final: [SlurmJobID: SlurmJobStatus] = [:]
        var lastSeen = Dictionary(uniqueKeysWithValues: jobs.map { ($0.jobID, Date()) })
        var failingSince: Date?
        var givenUp: [SlurmJobID: String] = [:]
        var cancelSent = false
        while final.count + givenUp.count < jobs.count {
            if !cancelSent && isCancelled() {
                cancelSent = true
                try? cancel()
            }
            let open = jobs.filter { final[$0.jobID] == nil && givenUp[$0.jobID] == nil }
            let now = Date()
            do {
                let statuses = try poller.poll(open.map(\.jobID))
                failingSince = nil
                for job in open {
                    guard let status = statuses[job.jobID] else {
                        if now.timeIntervalSince(lastSeen[job.jobID]!) >= configuration.forgottenJobTimeout {
                            givenUp[job.jobID] = "Slurm no longer knows job \(job.jobID) and has no accounting record of it; see \(job.outputPath)"
                        }
                        continue
                    }
                    lastSeen[job.jobID] = now
                    if last[job.jobID] != status {
                        last[job.jobID] = status
                        onChange(job, status)
                    }
                    if status.state.isFinished { final[job.jobID] = status }
                }
            } catch {
                let since = failingSince ?? now
                failingSince = since
                if now.timeIntervalSince(since) >= configuration.unreachableTimeout {
                    for job in open { givenUp[job.jobID] = "Slurm stopped answering: \(error)" }
                }
            }
            if final.count + givenUp.count < jobs.count { Thread.sleep(forTimeInterval: configuration.pollInterval) }
        }
        return results(jobs: jobs, final: final, givenUp: givenUp)
    }

    private func results(jobs: [Job], final: [SlurmJobID: SlurmJobStatus], givenUp: [SlurmJobID: String]) -> [StageResult] {
        let cancelled = lock.withLock { cancelRequested }
        var failedStages: [String: String] = [:]  // stage -> the failed stage it traces back to
        var out: [StageResult] = []
        let stageOfJob = Dictionary(uniqueKeysWithValues: jobs.map { ($0.jobID, $0.stage) })
        for job in jobs {
            let status = final[job.jobID] ?? SlurmJobStatus(state: .failed)
            var outcome: StageOutcome
            if let reason = givenUp[job.jobID] {
                outcome = .failed(reason)
            } else {
                outcome = SlurmJobOutcome(
                    jobID: job.jobID, key: nil, resources: job.resources, outputPath: job.outputPath, outcomePath: job.outcomePath,
                    cancelRequested: cancelled
                ).outcome(
                    status: status, store: store, tailLines: configuration.outputTailLines,
                    visibilityGrace: configuration.outcomeVisibilityGrace)
            }
            // Jobs come in topological order, so upstream failures are known.
            let failedUpstream = job.afterSuccessOf.compactMap { stageOfJob[$0] }.first { failedStages[$0] != nil }
            var skippedBecause: String?
            if status.state == .cancelled, !cancelled, let upstream = failedUpstream {
                skippedBecause = failedStages[upstream]
                outcome = .failed("not run: stage `\(skippedBecause!)` failed")
            }
            switch outcome {
            case .executed, .foundCached, .fetchedRemote, .cancelled: break
            case .failed, .corruptInput: failedStages[job.stage] = skippedBecause ?? job.stage
            }
            out.append(StageResult(stage: job.stage, jobID: job.jobID, status: status, outcome: outcome, skippedBecause: skippedBecause))
        }
        return out
    }
}
