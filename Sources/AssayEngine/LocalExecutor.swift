import Foundation

/// Runs stage jobs on threads of this process, at most `capacity` at a time.
public final class LocalExecutor: StageExecutor, @unchecked Sendable {
    public let capacity: Int
    let runner: StageRunner
    private let condition = NSCondition()
    private var statuses: [JobID: JobStatus] = [:]
    private var cancelled: Set<JobID> = []
    private var nextID = 0
    private var changed = false

    /// Besides `cancel(_:)`, a run-wide flag (the engine's) stops every job at its next check.
    let runCancelled: @Sendable () -> Bool

    public init(runner: StageRunner, capacity: Int, runCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.runner = runner
        self.capacity = max(1, capacity)
        self.runCancelled = runCancelled
    }

    public func submit(_ job: StageJob, events: @escaping @Sendable (ExecutorEvent) -> Void) throws -> JobID {
        condition.lock()
        nextID += 1
        let id = JobID(nextID)
        statuses[id] = .running
        condition.unlock()
        // A dedicated thread with a generous stack: operators may recurse deeply or use big frames.
        let thread = Thread { [self] in
            let outcome = runner.execute(job, events: events, isCancelled: { [self] in isCancelled(id) })
            condition.lock()
            statuses[id] = .finished(outcome)
            cancelled.remove(id)
            changed = true
            condition.broadcast()
            condition.unlock()
        }
        thread.stackSize = 16 << 20
        thread.start()
        return id
    }

    public func poll(_ id: JobID) -> JobStatus {
        condition.lock()
        defer { condition.unlock() }
        let status = statuses[id] ?? .queued
        if case .finished = status { statuses[id] = nil }
        return status
    }

    public func cancel(_ id: JobID) {
        condition.lock()
        if statuses[id] != nil { cancelled.insert(id) }
        condition.unlock()
    }

    public func waitForChange(timeout: Double) {
        condition.lock()
        if !changed { _ = condition.wait(until: Date(timeIntervalSinceNow: timeout)) }
        changed = false
        condition.unlock()
    }

    private func isCancelled(_ id: JobID) -> Bool {
        if runCancelled() { return true }
        condition.lock()
        defer { condition.unlock() }
        return cancelled.contains(id)
    }
}
