/// Follows a set of jobs the way the issue asks: `squeue` while Slurm keeps
/// them in its queue, then `sacct` once they have left it (or ended), for the
/// final state and exit code.
public struct SlurmJobPoller: Sendable {
    public var client: SlurmClient

    public init(client: SlurmClient) {
        self.client = client
    }

    /// One poll: the status of every job that Slurm still knows about. A job
    /// missing from the answer is neither queued nor accounted for yet (sacct
    /// can lag the queue by a moment); ask again later.
    public func poll(_ ids: [SlurmJobID]) throws -> [SlurmJobID: SlurmJobStatus] {
        let queued = try client.queue(ids)
        var statuses: [SlurmJobID: SlurmJobStatus] = [:]
        var ended: [SlurmJobID] = []
        for id in ids {
            if let entry = queued[id] {
                statuses[id] = SlurmJobStatus(state: entry.state, reason: entry.reason)
                if entry.state.isFinished { ended.append(id) }
            } else {
                ended.append(id)
            }
        }
        guard !ended.isEmpty else { return statuses }
        let records = try client.finalRecords(ended)
        for id in ended {
            guard let record = records[id] else { continue }
            // The queue's reason says more than the record about why a job
            // ended (e.g. DependencyNeverSatisfied), so keep it when present.
            statuses[id] = SlurmJobStatus(state: record.state, exit: record.exit, reason: statuses[id]?.reason)
        }
        return statuses
    }
}
