import AssaySupport

/// Where stages run. The engine submits jobs, polls them and cancels them; it never cares
/// whether a job is a thread here or a batch job on a cluster, because every executor makes
/// its result visible the same way: as an action record and objects in the shared store.
///
/// `local` (``LocalExecutor``) runs jobs on threads of this process. A cluster executor would
/// submit each job as a batch script running one stage (``StageRunner``) against the same store
/// on a shared filesystem, and report `.finished(.executed(record))` by reading the record back.
public protocol StageExecutor: AnyObject, Sendable {
    /// How many jobs may run at once.
    var capacity: Int { get }

    /// Starts a job. `events` may be called from any thread until the job finishes.
    func submit(_ job: StageJob, events: @escaping @Sendable (ExecutorEvent) -> Void) throws -> JobID

    func poll(_ id: JobID) -> JobStatus

    /// Asks a job to stop; it still finishes (usually as `.cancelled`) and must still be polled.
    func cancel(_ id: JobID)

    /// Blocks until a job may have changed state, or `timeout` seconds passed.
    func waitForChange(timeout: Double)
}

public struct JobID: Hashable, Sendable, CustomStringConvertible {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public var description: String { "job \(value)" }
}

public enum JobStatus: Sendable, Equatable {
    case queued
    case running
    case finished(StageOutcome)
}

/// What a job reports while it runs.
public enum ExecutorEvent: Sendable, Equatable {
    case progress(StageProgress)
    /// Another process holds the stage's lock; the job waits for it.
    case waitingForLock
    /// The executor's own name for the job (a Slurm job id), for the history.
    case submitted(externalID: String)
    /// Something the remote cache had to report (the job goes on either way).
    case remote(RemoteCacheNotice)
}
