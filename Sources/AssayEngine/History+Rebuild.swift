import AssaySupport
import Foundation

/// How a damaged history was recovered: what was wrong, where the old file went, what the new
/// one was rebuilt from. The CLI prints it as one warning.
public struct HistoryRecovery: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String
    /// Where the damaged database was moved (nil when it was readable but empty).
    public var movedTo: String?
    public var runsRestored: Int
    public var recordsRead: Int
    /// Run records that could not be read (their runs are missing from the rebuilt history).
    public var unreadableRunRecords: [String]

    public var description: String {
        var text = "the run history \(path) \(problem)"
        text += movedTo.map { "; it was moved to \($0) and" } ?? "; it was"
        text += " rebuilt from \(runsRestored) run record\(runsRestored == 1 ? "" : "s") and \(recordsRead) cache record\(recordsRead == 1 ? "" : "s")"
        if !unreadableRunRecords.isEmpty { text += " (\(unreadableRunRecords.count) unreadable run record(s) skipped: \(unreadableRunRecords.joined(separator: ", ")))" }
        return text
    }
}

extension History {
    /// SQLite's words for a file that is not (or no longer) a usable database.
    static func isDamage(_ message: String) -> Bool {
        message.contains("not a database") || message.contains("malformed") || message.contains("corrupt")
    }

    /// True when no run is recorded (a new database, or one emptied by accident).
    func holdsNoRuns() throws -> Bool {
        try locked { try !database.prepare("SELECT 1 FROM runs LIMIT 1").step() }
    }

    /// `PRAGMA quick_check`: nil when the database is sound, else SQLite's first complaint.
    func integrityProblem() throws -> String? {
        try locked {
            let q = try database.prepare("PRAGMA quick_check")
            guard try q.step() else { return nil }
            let first = q.string(0) ?? ""
            return first == "ok" ? nil : first
        }
    }

    /// Fills an empty history from run records and action records: the runs with their stage
    /// rows (outputs and metrics come from each key's action record, when it is still in the
    /// store), and the recipe of every record.
    func restore(runs: [RunRecord], records: [Digest: ActionRecord]) throws {
        try locked {
            try database.transaction {
                // Rebuilt rows carry their parameters inline (parameters_digest NULL), as before version 2.
                let runRow = try database.prepare("""
                    INSERT OR REPLACE INTO runs(id, started, finished, experiment, experiment_digest, parameters, git_commit, status, points, finish_order)
                    VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                    """)
                for run in runs {
                    let interrupted = run.finished?.status == RunStatus.interrupted.rawValue
                    try runRow.bind(
                        run.id, run.started, interrupted ? nil : run.finished?.time, run.description.experimentPath, run.description.experimentDigest,
                        run.description.parametersJSON, run.description.gitCommit, run.finished?.status ?? RunStatus.running.rawValue,
                        run.points.joined(separator: "\n"), try nextFinishOrder()
                    ).run()
                    try insertStages(of: run, records: records)
                }
                try insertRecipes(records.values.sorted(by: { $0.createdAt < $1.createdAt }), replacing: false)
            }
        }
    }

    /// Records what a run whose process died had finished (from its run record) and marks it
    /// interrupted, unless its end is already recorded. Returns whether anything changed. (Its
    /// end time stays unknown: the process died some time after its last record.)
    @discardableResult
    func recordInterrupted(_ run: RunRecord, records: (Digest) -> ActionRecord?) throws -> Bool {
        try locked {
            try database.transaction {
                let q = try database.prepare("SELECT status, (SELECT count(*) FROM stages WHERE run_id = ?1) FROM runs WHERE id = ?1").bind(run.id)
                guard try q.step(), q.string(0) == RunStatus.running.rawValue, q.int(1) == 0 else { return false }
                var known: [Digest: ActionRecord] = [:]
                for s in run.stages { if let key = s.key, let r = records(key) { known[key] = r } }
                try insertStages(of: run, records: known)
                try database.prepare("UPDATE runs SET status = ?2, finish_order = ?3 WHERE id = ?1")
                    .bind(run.id, RunStatus.interrupted.rawValue, try nextFinishOrder()).run()
                return true
            }
        }
    }

    /// Marks a run interrupted that left no run record (its process died, and it predates run records).
    func markInterrupted(runID: String) throws {
        try locked {
            try database.prepare("UPDATE runs SET status = ?2 WHERE id = ?1 AND status = ?3")
                .bind(runID, RunStatus.interrupted.rawValue, RunStatus.running.rawValue).run()
        }
    }

    /// Ids of runs the history says are running.
    func runningRunIDs() throws -> [String] {
        try locked {
            let q = try database.prepare("SELECT id FROM runs WHERE status = ?1").bind(RunStatus.running.rawValue)
            var ids: [String] = []
            while try q.step() { ids.append(q.string(0) ?? "") }
            return ids
        }
    }

    /// Call inside `locked` and a transaction.
    private func insertStages(of run: RunRecord, records: [Digest: ActionRecord]) throws {
        let stageRow = try database.prepare("INSERT INTO stage_rows VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
        let metricRow = try database.prepare("INSERT INTO metric_rows VALUES(?1, ?2, ?3, ?4, ?5)")
        for s in run.stages {
            let record = s.key.flatMap { records[$0] }
            var outputs: [String: Digest] = [:]
            for o in record?.outputs ?? [] { outputs[o.name] = o.digest }
            try stageRow.bind(
                run.id, s.point, s.stage, s.operatorName, s.key?.hex, s.status, s.message, s.duration,
                History.encode(outputs: outputs), s.executorJobID
            ).run()
            guard s.status == "hit" || s.status == "executed" else { continue }
            for (name, value) in (record?.metrics ?? [:]).sorted(by: { $0.key < $1.key }) {
                try metricRow.bind(run.id, s.point, s.stage, name, value).run()
            }
        }
    }
}
