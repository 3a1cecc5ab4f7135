import AssayEngine
import AssaySupport
import Foundation

/// Runs the engine's stage jobs as Slurm batch jobs over a store on a shared
/// filesystem.
///
/// The engine's scheduler resolves keys and cache hits itself and submits
/// only misses, each once its inputs exist; so every job this executor
/// submits is ready to run and needs no Slurm dependency. (`SlurmJobRequest`
/// carries `afterok` dependencies for callers that submit a whole graph up
/// front.) Each job runs `assay run-stage` (see `ClusterStageInvocation`)
/// on a `StageJob` written as JSON beside its script; the job publishes the
/// stage's outputs into the store under the store's per-key lock, and
/// writes a `StageOutcomeReport`. The executor follows the jobs with
/// `squeue`, then `sacct`, and reads the outcome and the action record back.
public final class SlurmExecutor: StageExecutor, @unchecked Sendable {
    public let store: Store
    public let client: SlurmClient
    public let configuration: SlurmExecutorConfiguration
    /// Where this executor writes its job files.
    public let jobDirectory: URL
    /// Where results of jobs whose store is not this one come back from (see
    /// `SlurmExecutorConfiguration.nodeStorePath`).
    public let remote: RemoteCacheSession?

    public var capacity: Int { max(1, configuration.capacity) }

    struct TrackedJob {
        var submission: SlurmSubmission
        var job: StageJob
        var outcomePath: String
        var status: JobStatus = .queued
        var lastSeen: Date
        var cancelRequested = false
        var lastCancelSent: Date?
    }

    private let lock = NSLock()
    private var jobs: [JobID: TrackedJob] = [:]
    private var order: [JobID] = []
    private var nextID = 0
    private var closed = false
    private var lastRefresh = Date.distantPast
    private var failingSince: Date?
    private var changed = false

    public init(
        store: Store, configuration: SlurmExecutorConfiguration, client: SlurmClient = SlurmClient(), remote: RemoteCacheSession? = nil
    ) throws {
        self.store = store
        self.remote = remote
        self.configuration = configuration
        self.client = client
        jobDirectory = configuration.jobDirectory
            ?? store.root.appendingPathComponent("cluster").appendingPathComponent(Self.makeRunToken())
        try FileManager.default.createDirectory(at: jobDirectory, withIntermediateDirectories: true)
    }

    /// Every job submitted so far, in submission order.
    public var submissions: [SlurmSubmission] {
        lock.withLock { order.compactMap { jobs[$0]?.submission } }
    }

    // MARK: StageExecutor

    public func submit(_ job: StageJob, events: @escaping @Sendable (ExecutorEvent) -> Void) throws -> JobID {
        let id: JobID = try lock.withLock {
            guard !closed else { throw EngineError.cancelled }
            nextID += 1
            return JobID(nextID)
        }
        let base = jobDirectory.appendingPathComponent("\(id.value)-\(Self.fileSafe(job.node.id))").path
        let jobPath = base + ".job.json"
        let invocation = ClusterStageInvocation(
            storePath: configuration.nodeStorePath ?? store.root.path, jobPath: jobPath, outcomePath: base + ".outcome.json",
            remote: configuration.remote)
        let scriptPath = base + ".sh"
        let outputPath = base + ".out"

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(job).write(to: URL(fileURLWithPath: jobPath), options: .atomic)
        try Data(invocation.script(assayExecutable: configuration.assayExecutable, stage: job.node.id).utf8)
            .write(to: URL(fileURLWithPath: scriptPath), options: .atomic)

        // The stage's own hints win, then the executor's defaults; a stage
        // that says nothing about CPUs gets one per engine thread.
        let resources = try StageResourceHints.resources(of: job.node)
            .filled(from: configuration.defaults)
            .filled(from: SlurmResources(cpus: max(1, job.threads)))
        let request = SlurmJobRequest(
            name: "\(configuration.jobNamePrefix)-\(Self.fileSafe(job.node.id))", scriptPath: scriptPath, outputPath: outputPath,
            workingDirectory: jobDirectory.path, resources: resources, account: configuration.account)
        let slurmID = try client.submit(request)

        let submission = SlurmSubmission(
            stage: job.node.id, key: job.key, jobID: slurmID, scriptPath: scriptPath, outputPath: outputPath, resources: resources)
        let cancelAtOnce: Bool = lock.withLock {
            jobs[id] = TrackedJob(submission: submission, job: job, outcomePath: invocation.outcomePath, lastSeen: Date(), cancelRequested: closed)
            order.append(id)
            return closed
        }
        // cancelAll() ran while sbatch did: this job must not outlive the run.
        if cancelAtOnce { try? client.cancel([slurmID]) }
        events(.submitted(externalID: slurmID.rawValue))
        return id
    }

    public func poll(_ id: JobID) -> JobStatus {
        lock.withLock { jobs[id]?.status ?? .queued }
    }

    public func cancel(_ id: JobID) {
        let target: SlurmJobID? = lock.withLock {
            guard var tracked = jobs[id], !Self.isFinished(tracked.status) else { return nil }
            tracked.cancelRequested = true
            tracked.lastCancelSent = Date()
            jobs[id] = tracked
            return tracked.submission.jobID
        }
        // A failed scancel is retried by the next refresh.
        if let target { try? client.cancel([target]) }
    }

    /// Cancels every job of this executor that has not finished, and every
    /// job submitted from now on: for the CLI's interrupt handler, so that
    /// an interrupted run leaves no job behind.
    public func cancelAll() throws {
        let targets: [SlurmJobID] = lock.withLock {
            closed = true
            var targets: [SlurmJobID] = []
            for (id, tracked) in jobs where !Self.isFinished(tracked.status) {
                jobs[id]?.cancelRequested = true
                jobs[id]?.lastCancelSent = Date()
                targets.append(tracked.submission.jobID)
            }
            return targets.sorted()
        }
        try client.cancel(targets)
    }

    public func waitForChange(timeout: Double) {
        let deadline = Date().addingTimeInterval(max(0, timeout))
        let (due, active): (Date, Bool) = lock.withLock {
            (lastRefresh.addingTimeInterval(configuration.pollInterval), jobs.values.contains { !Self.isFinished($0.status) })
        }
        if active && due <= deadline {
            let pause = due.timeIntervalSinceNow
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
            refresh()
        }
        let remaining = deadline.timeIntervalSinceNow
        let sawChange = lock.withLock { () -> Bool in
            defer { changed = false }
            return changed
        }
        if !sawChange && remaining > 0 { Thread.sleep(forTimeInterval: remaining) }
    }

    // MARK: Following the jobs

    /// One look at the queue: updates every unfinished job's status.
    func refresh() {
        let active: [(JobID, TrackedJob)] = lock.withLock {
            lastRefresh = Date()
            return jobs.filter { !Self.isFinished($0.value.status) }.sorted { $0.key.value < $1.key.value }
        }
        guard !active.isEmpty else { return }
        let now = Date()
        let statuses: [SlurmJobID: SlurmJobStatus]
        do {
            statuses = try SlurmJobPoller(client: client).poll(active.map { $0.1.submission.jobID })
            lock.withLock { failingSince = nil }
        } catch {
            let giveUp: Bool = lock.withLock {
                let since = failingSince ?? now
                failingSince = since
                return now.timeIntervalSince(since) >= configuration.unreachableTimeout
            }
            if giveUp {
                for (id, _) in active { settle(id, .failed("Slurm stopped answering: \(error)")) }
            }
            return
        }
        var resend: [SlurmJobID] = []
        for (id, tracked) in active {
            let slurmID = tracked.submission.jobID
            guard let status = statuses[slurmID] else {
                if now.timeIntervalSince(tracked.lastSeen) >= configuration.forgottenJobTimeout {
                    settle(id, .failed("Slurm no longer knows job \(slurmID) and has no accounting record of it; see \(tracked.submission.outputPath)"))
                }
                continue
            }
            if status.state.isFinished {
                // Re-read: cancelAll() may have run since the snapshot.
                let current = lock.withLock { jobs[id] } ?? tracked
                settle(id, outcome(of: current, status: status))
                continue
            }
            lock.withLock {
                jobs[id]?.lastSeen = now
                let next: JobStatus = status.state == .running ? .running : .queued
                if jobs[id]?.status != next { jobs[id]?.status = next; changed = true }
                // scancel may have failed or raced the submission: say it again.
                if tracked.cancelRequested, now.timeIntervalSince(tracked.lastCancelSent ?? .distantPast) >= 5 {
                    jobs[id]?.lastCancelSent = now
                    resend.append(slurmID)
                }
            }
        }
        if !resend.isEmpty { try? client.cancel(resend) }
    }

    /// The engine's outcome of a job Slurm says has ended.
    func outcome(of tracked: TrackedJob, status: SlurmJobStatus) -> StageOutcome {
        let submission = tracked.submission
        // A job on a store other than this one left its result on the remote: bring it here.
        if status.state == .completed, let remote, (try? store.actionRecord(for: tracked.job.key)) == nil {
            _ = remote.lookup(tracked.job, in: store, report: { _ in })
        }
        return SlurmJobOutcome(
            jobID: submission.jobID, key: submission.key, resources: submission.resources, outputPath: submission.outputPath,
            outcomePath: tracked.outcomePath, cancelRequested: tracked.cancelRequested
        ).outcome(
            status: status, store: store, tailLines: configuration.outputTailLines, visibilityGrace: configuration.outcomeVisibilityGrace)
    }

    private func settle(_ id: JobID, _ outcome: StageOutcome) {
        lock.withLock {
            jobs[id]?.status = .finished(outcome)
            changed = true
        }
    }

    private static func isFinished(_ status: JobStatus) -> Bool {
        if case .finished = status { return true }
        return false
    }

    /// A stage id as part of a file or job name: letters, digits, `.`, `_`, `-`.
    static func fileSafe(_ name: String) -> String {
        let safe = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        })
        return String(safe.prefix(80))
    }

    static func makeRunToken() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date()) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }
}
