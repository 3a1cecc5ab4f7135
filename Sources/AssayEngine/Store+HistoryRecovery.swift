import AssaySupport
import Foundation

extension Store {
    /// See `openHistory()`.
    func openRecoveringHistory() throws -> History {
        let path = historyURL.path
        var history: History
        var recovery: HistoryRecovery?
        do {
            history = try History(path: path)
            if try history.holdsNoRuns(), !runRecords().records.isEmpty {
                recovery = try refillEmptiedHistory(history)
            }
        } catch EngineError.sqlite(_, let message) where History.isDamage(message) {
            (history, recovery) = try replaceDamagedHistory(problem: message)
        }
        history.recovery = recovery
        try recordDeadRuns(in: history)
        return history
    }

    /// Moves a damaged database aside and rebuilds a new one, unless another process did it
    /// while this one waited for the repair lock (`evenIfReadable`: the damage is deeper than
    /// opening it shows).
    func replaceDamagedHistory(problem: String, evenIfReadable: Bool = false) throws -> (History, HistoryRecovery?) {
        let lock = try FileLock(path: locksPath + "/history-repair.lock")
        _ = lock.lock()
        defer { lock.unlock() }
        let path = historyURL.path
        if !evenIfReadable, let repaired = try? History(path: path), (try? repaired.holdsNoRuns()) != nil { return (repaired, nil) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let aside = path + ".damaged-" + formatter.string(from: Date())
        for suffix in ["", "-wal", "-shm"] where FileSystem.exists(path + suffix) {
            try FileSystem.rename(path + suffix, to: aside + suffix)
        }
        let history = try History(path: path)
        let what = problem.components(separatedBy: " (in `").first ?? problem
        return (history, try rebuild(history, problem: "could not be read (\(what))", movedTo: aside))
    }

    /// Refills a history that holds no runs from the run records, under the repair lock and only
    /// if it is still empty then: two processes opening it at once must not both insert every row.
    private func refillEmptiedHistory(_ history: History) throws -> HistoryRecovery? {
        let lock = try FileLock(path: locksPath + "/history-repair.lock")
        _ = lock.lock()
        defer { lock.unlock() }
        guard try history.holdsNoRuns() else { return nil }
        return try rebuild(history, problem: "held no runs although the store has run records", movedTo: nil)
    }

    /// Rebuilds the history if `PRAGMA quick_check` finds it damaged (`assay verify`).
    public func checkHistory() throws -> HistoryRecovery? {
        let history = try openHistory()
        if let recovery = history.recovery { return recovery }
        guard let problem = try history.integrityProblem() else { return nil }
        return try replaceDamagedHistory(problem: problem, evenIfReadable: true).1
    }

    private func rebuild(_ history: History, problem: String, movedTo: String?) throws -> HistoryRecovery {
        let (runs, unreadable) = runRecords()
        var records: [Digest: ActionRecord] = [:]
        for record in allActionRecords() { records[record.key] = record }
        try history.restore(runs: runs, records: records)
        return HistoryRecovery(
            path: historyURL.path, problem: problem, movedTo: movedTo, runsRestored: runs.count, recordsRead: records.count,
            unreadableRunRecords: unreadable)
    }

    /// Runs the history calls running whose process is gone (nobody holds their lock): records
    /// the stages their run record says they finished, marks them interrupted and removes
    /// their lock files.
    func recordDeadRuns(in history: History) throws {
        for id in try history.runningRunIDs() {
            let lockPath = History.runLockPath(historyPath: historyURL.path, runID: id)
            let lock = FileLock(existing: lockPath)
            if let lock, !lock.tryLock() { continue }  // alive
            let recordPath = runRecordPath(id)
            if let bytes = try? FileSystem.readFile(recordPath), let run = try? RunRecord.decode(bytes, path: recordPath, parameters: { self.storedParameters($0) }) {
                if try history.recordInterrupted(run, records: { try? self.actionRecord(for: $0) }) {
                    // The time is that of its last record: it died some time after.
                    let lastRecord = Double(FileSystem.fileStat(recordPath)?.modifiedNanoseconds ?? 0) / 1e9
                    var closed = run
                    closed.finished = (lastRecord, RunStatus.interrupted.rawValue)
                    try? FileSystem.writeAtomically(closed.encoded(), to: recordPath, temporaryDirectory: temporaryPath, sync: false)
                }
            } else {
                try history.markInterrupted(runID: id)
            }
            if lock != nil { unlink(lockPath) }
            lock?.unlock()
        }
    }
}
