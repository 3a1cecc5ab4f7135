import AssaySupport
import Foundation

/// The run history: `history.sqlite` in the store. Runs, per-stage records, metrics, and the
/// recipe of every key that executed (for `explain` and expected costs).
///
/// A run costs two transactions — one when it starts, one with all its stage rows when it
/// ends — so a 10,000-stage no-op rerun does not pay one commit per stage. A run whose stage
/// rows would repeat an earlier run's exactly (every stage a hit, same keys, outputs and
/// metrics: a no-op rerun) writes none: its run row points at that run (`same_stages_as`),
/// and the `stages` and `metrics` views, which every query reads, show the earlier rows under
/// its id. Physical rows live in `stage_rows` and `metric_rows`; the views order rows by the
/// run's finishing order (`run_order`) and then by insertion (`row_order`).
public final class History: @unchecked Sendable {
    let database: SQLiteDatabase
    private let lock = NSLock()
    /// Set when `Store.openHistory()` found the database damaged and rebuilt it (say so once).
    public internal(set) var recovery: HistoryRecovery?

    public init(path: String) throws {
        database = try SQLiteDatabase(path: path)
        try History.retryingWhileBusy { try setUp() }
    }

    /// Switching a new file to WAL takes an exclusive lock and SQLite reports BUSY at once,
    /// without its busy handler, when another process opens the same new file: retry then.
    private static func retryingWhileBusy(_ body: () throws -> Void) throws {
        let deadline = Date().addingTimeInterval(30)
        while true {
            do {
                return try body()
            } catch EngineError.sqlite(let path, let message) where message.contains("locked") || message.contains("busy") {
                guard Date() < deadline else { throw EngineError.sqlite(path: path, message: message) }
                usleep(20_000)
            }
        }
    }

    private func setUp() throws {
        try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456;")
        try renameVersion2Tables()
        try database.execute("""
            CREATE TABLE IF NOT EXISTS runs(
              id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL, experiment TEXT NOT NULL,
              experiment_digest TEXT NOT NULL, parameters TEXT NOT NULL, git_commit TEXT, status TEXT NOT NULL,
              points TEXT NOT NULL, parameters_digest TEXT, same_stages_as TEXT, stages_digest TEXT, finish_order INTEGER);
            CREATE TABLE IF NOT EXISTS descriptions(digest TEXT PRIMARY KEY, parameters TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS stage_rows(
              run_id TEXT NOT NULL, point TEXT NOT NULL, stage TEXT NOT NULL, operator TEXT NOT NULL, key TEXT,
              status TEXT NOT NULL, message TEXT, duration REAL NOT NULL, outputs TEXT NOT NULL, executor_job TEXT);
            CREATE INDEX IF NOT EXISTS stages_by_run ON stage_rows(run_id);
            CREATE INDEX IF NOT EXISTS stages_by_stage ON stage_rows(stage);
            CREATE TABLE IF NOT EXISTS metric_rows(
              run_id TEXT NOT NULL, point TEXT NOT NULL, stage TEXT NOT NULL, name TEXT NOT NULL, value REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS metrics_by_run ON metric_rows(run_id);
            CREATE TABLE IF NOT EXISTS recipes(
              key TEXT PRIMARY KEY, stage TEXT NOT NULL, operator TEXT NOT NULL, version INTEGER NOT NULL,
              parameters TEXT NOT NULL, inputs TEXT NOT NULL, duration REAL, created REAL NOT NULL);
            """)
        try migrate()
        try database.execute("""
            CREATE INDEX IF NOT EXISTS runs_by_target ON runs(same_stages_as);
            CREATE INDEX IF NOT EXISTS runs_by_stages_digest ON runs(stages_digest);
            CREATE VIEW IF NOT EXISTS stages AS
              SELECT s.run_id, s.point, s.stage, s.operator, s.key, s.status, s.message, s.duration, s.outputs, s.executor_job,
                     r.finish_order AS run_order, s.rowid AS row_order
                FROM stage_rows s LEFT JOIN runs r ON r.id = s.run_id
              UNION ALL
              SELECT p.id, s.point, s.stage, s.operator, s.key, s.status, s.message, s.duration, s.outputs, s.executor_job,
                     p.finish_order, s.rowid
                FROM runs p JOIN stage_rows s ON s.run_id = p.same_stages_as;
            CREATE VIEW IF NOT EXISTS metrics AS
              SELECT run_id, point, stage, name, value FROM metric_rows
              UNION ALL
              SELECT p.id, m.point, m.stage, m.name, m.value FROM runs p JOIN metric_rows m ON m.run_id = p.same_stages_as;
            """)
    }

    /// The schema version this code writes (`PRAGMA user_version`).
    static let schemaVersion = 3

    /// Before version 3 the stage and metric rows were the tables `stages` and `metrics`; they
    /// are now `stage_rows` and `metric_rows`, and those names are views over them.
    private func renameVersion2Tables() throws {
        func isTable(_ name: String) throws -> Bool {
            try database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1").bind(name).step()
        }
        guard try isTable("stages") else { return }
        try History.retryingWhileBusy {
            try database.transaction {
                // Checked again under the write lock: another process may have renamed them.
                guard try isTable("stages") else { return }
                try database.execute("ALTER TABLE stages RENAME TO stage_rows")
                if try isTable("metrics") { try database.execute("ALTER TABLE metrics RENAME TO metric_rows") }
            }
        }
    }

    /// Brings an older history file up to `schemaVersion`, in one transaction.
    private func migrate() throws {
        let version = try database.prepare("PRAGMA user_version")
        let current = try version.step() ? version.int(0) ?? 0 : 0
        // Columns are checked, not only the version: a file stamped by a build that wrote the
        // version before adding the column must still be repaired.
        var present = Set<String>()
        for table in ["stage_rows", "runs"] {
            let columns = try database.prepare("PRAGMA table_info(\(table))")
            while try columns.step() { present.insert(table + "." + (columns.string(1) ?? "")) }
        }
        let added = ["stage_rows.executor_job", "runs.parameters_digest", "runs.same_stages_as", "runs.stages_digest", "runs.finish_order"]
        guard current < History.schemaVersion || !added.allSatisfy(present.contains) else { return }
        try database.transaction {
            // Version 1 added the executor's job id to stage rows.
            if !present.contains("stage_rows.executor_job") { try database.execute("ALTER TABLE stage_rows ADD COLUMN executor_job TEXT") }
            // Version 2 keeps each distinct parameters text once (`descriptions`), runs refer to it.
            if !present.contains("runs.parameters_digest") { try database.execute("ALTER TABLE runs ADD COLUMN parameters_digest TEXT") }
            // Version 3: a no-op rerun points at an identical earlier run instead of copying its rows.
            for column in ["same_stages_as TEXT", "stages_digest TEXT", "finish_order INTEGER"] {
                let name = String(column.split(separator: " ")[0])
                if !present.contains("runs." + name) { try database.execute("ALTER TABLE runs ADD COLUMN \(column)") }
            }
            if !present.contains("runs.finish_order") {
                // Rows were ordered by insertion: a run's last row id keeps that order, and new
                // runs count on from the largest.
                try database.execute("UPDATE runs SET finish_order = (SELECT MAX(rowid) FROM stage_rows WHERE run_id = runs.id)")
            }
            try database.execute("PRAGMA user_version = \(History.schemaVersion)")
        }
    }

    /// The next finishing order (call inside a transaction).
    func nextFinishOrder() throws -> Int {
        let q = try database.prepare("SELECT COALESCE(MAX(finish_order), 0) + 1 FROM runs")
        return try q.step() ? q.int(0) ?? 1 : 1
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: Writing

    /// Whether a run already recorded this parameters text (then `descriptions/<hex>` exists too:
    /// the engine writes it before the run that first records it).
    public func hasDescription(_ digest: Digest) throws -> Bool {
        try locked { try database.prepare("SELECT 1 FROM descriptions WHERE digest = ?1").bind(digest.hex).step() }
    }

    /// Records a run's start. Its parameters text is stored once per distinct content: a rerun
    /// of the same experiment adds only its run row.
    public func beginRun(id: String, description: RunDescription, points: [String]) throws {
        try locked {
            try database.transaction {
                let digest = description.parametersDigest.hex
                if try !database.prepare("SELECT 1 FROM descriptions WHERE digest = ?1").bind(digest).step() {
                    try database.prepare("INSERT INTO descriptions VALUES(?1, ?2)").bind(digest, description.parametersJSON).run()
                }
                try database.prepare("""
                    INSERT INTO runs(id, started, finished, experiment, experiment_digest, parameters, git_commit, status, points, parameters_digest)
                    VALUES(?1, ?2, NULL, ?3, ?4, '', ?5, 'running', ?6, ?7)
                    """)
                    .bind(id, Date().timeIntervalSince1970, description.experimentPath, description.experimentDigest,
                          description.gitCommit, points.joined(separator: "\n"), digest)
                    .run()
            }
        }
    }

    public func finishRun(id: String, status: RunStatus, stages: [StageReport], executedRecords: [ActionRecord]) throws {
        let digest = History.rowsDigest(stages).hex
        let onlyHits = !stages.isEmpty && executedRecords.isEmpty && stages.allSatisfy { $0.status == .hit }
        try locked {
            try database.transaction {
                // A no-op rerun: the same rows as an earlier run that holds them.
                var same: String?
                if onlyHits {
                    let q = try database.prepare("""
                        SELECT id FROM runs WHERE stages_digest = ?1 AND same_stages_as IS NULL AND id != ?2
                        ORDER BY finish_order DESC LIMIT 1
                        """).bind(digest, id)
                    if try q.step() { same = q.string(0) }
                }
                try database.prepare("UPDATE runs SET finished = ?2, status = ?3, stages_digest = ?4, same_stages_as = ?5, finish_order = ?6 WHERE id = ?1")
                    .bind(id, Date().timeIntervalSince1970, status.rawValue, digest, same, try nextFinishOrder()).run()
                if same != nil { return }
                let stageRow = try database.prepare("INSERT INTO stage_rows VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                let metricRow = try database.prepare("INSERT INTO metric_rows VALUES(?1, ?2, ?3, ?4, ?5)")
                for s in stages {
                    // Typed binds: this loop runs once per stage, also for a 10,000-stage no-op.
                    stageRow.reset()
                    stageRow.bind(1, id)
                    stageRow.bind(2, s.point)
                    stageRow.bind(3, s.stage)
                    stageRow.bind(4, s.operatorName)
                    stageRow.bind(5, s.key?.hex)
                    stageRow.bind(6, s.status.word)
                    stageRow.bind(7, s.status.message)
                    stageRow.bind(8, s.duration)
                    stageRow.bind(9, History.encode(outputs: s.outputs))
                    stageRow.bind(10, s.executorJobID)
                    try stageRow.run()
                    for (name, value) in s.metrics {
                        metricRow.reset()
                        metricRow.bind(1, id)
                        metricRow.bind(2, s.point)
                        metricRow.bind(3, s.stage)
                        metricRow.bind(4, name)
                        metricRow.bind(5, value)
                        try metricRow.run()
                    }
                }
                try insertRecipes(executedRecords, replacing: true)
            }
        }
    }

    /// Identifies what `finishRun` would write as stage and metric rows, run id aside: two runs
    /// with the same digest have the same rows.
    static func rowsDigest(_ stages: [StageReport]) -> Digest {
        // Built into one buffer and hashed once: it runs on every run, 10,000 stages for a no-op.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(stages.count * 192)
        func append(_ n: UInt64) { withUnsafeBytes(of: n.littleEndian) { bytes.append(contentsOf: $0) } }
        // Length-prefixed (absent: all ones), so no two different field lists give the same bytes.
        func field(_ text: String?) {
            guard let text else { append(.max); return }
            append(UInt64(text.utf8.count))
            bytes.append(contentsOf: text.utf8)
        }
        for s in stages {
            field(s.point); field(s.stage); field(s.operatorName); field(s.status.word); field(s.status.message); field(s.executorJobID)
            if let key = s.key { bytes.append(1); bytes.append(contentsOf: key.bytes) } else { bytes.append(0) }
            append(s.duration.bitPattern)
            // Sorted as (name, value) pairs: one array each, no second lookup per name.
            append(UInt64(s.outputs.count))
            for (name, digest) in s.outputs.sorted(by: { $0.key < $1.key }) { field(name); bytes.append(contentsOf: digest.bytes) }
            append(UInt64(s.metrics.count))
            for (name, value) in s.metrics.sorted(by: { $0.key < $1.key }) { field(name); append(value.bitPattern) }
        }
        return Digest.of(bytes)
    }

    /// Records a recipe known from elsewhere (an imported archive's action records).
    public func record(recipeOf record: ActionRecord) throws {
        try finishRecipes([record])
    }

    private func finishRecipes(_ records: [ActionRecord]) throws {
        try locked { try insertRecipes(records, replacing: false) }
    }

    /// Writes recipe rows; the caller holds the lock. `replacing`: a run's own executions
    /// overwrite rows of the same key; recipes known from elsewhere (imports, rebuilds) keep
    /// the row already there.
    func insertRecipes<Records: Sequence>(_ records: Records, replacing: Bool) throws where Records.Element == ActionRecord {
        let row = try database.prepare("INSERT OR \(replacing ? "REPLACE" : "IGNORE") INTO recipes VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        for r in records {
            try row.bind(
                r.key.hex, r.stage, r.operatorName, r.operatorVersion, String(decoding: r.parameters, as: UTF8.self),
                History.encode(outputs: Dictionary(uniqueKeysWithValues: r.inputs.map { ($0.slot, $0.digest) })),
                r.duration, r.createdAt
            ).run()
        }
    }

    // MARK: Queries

    /// The most recent runs, newest first.
    public func recentRuns(limit: Int = 20) throws -> [RunSummary] {
        try locked {
            let q = try database.prepare("""
                SELECT id, started, finished, experiment, experiment_digest, git_commit, status, points,
                  (SELECT count(*) FROM stages s WHERE s.run_id = r.id AND s.status = 'executed'),
                  (SELECT count(*) FROM stages s WHERE s.run_id = r.id AND s.status = 'hit'),
                  (SELECT count(*) FROM stages s WHERE s.run_id = r.id AND s.status = 'failed')
                FROM runs r ORDER BY started DESC, rowid DESC LIMIT ?1
                """).bind(limit)
            var out: [RunSummary] = []
            while try q.step() { out.append(summary(q)) }
            return out
        }
    }

    /// A run's liveness lock, beside the database in the store: held by the process running it.
    static func runLockPath(historyPath: String, runID: String) -> String {
        (historyPath as NSString).deletingLastPathComponent + "/locks/run-" + runID + ".lock"
    }

    private func summary(_ q: SQLiteDatabase.Statement) -> RunSummary {
        let points = q.string(7) ?? ""
        let id = q.string(0) ?? ""
        var status = q.string(6) ?? ""
        if status == RunStatus.running.rawValue {
            // A run whose process died (kill -9, power loss) never wrote its end: nobody holds
            // its lock any more, so it is reported as interrupted rather than running forever.
            // (Opened, never created: looking must not leave lock files behind.)
            if let lock = FileLock(existing: History.runLockPath(historyPath: database.path, runID: id)) {
                if lock.tryLock() {
                    lock.unlock()
                    status = "interrupted"
                }
            } else {
                status = "interrupted"
            }
        }
        return RunSummary(
            id: id, started: q.double(1) ?? 0, finished: q.double(2), experimentPath: q.string(3) ?? "",
            experimentDigest: q.string(4) ?? "", gitCommit: q.string(5), status: status,
            points: points.isEmpty ? [""] : points.components(separatedBy: "\n"),
            executed: q.int(8) ?? 0, hits: q.int(9) ?? 0, failed: q.int(10) ?? 0)
    }

    /// Accepts a full run id, a unique prefix of one, `last`, or `last~N` (N runs before the last).
    public func resolveRunID(_ reference: String) throws -> String {
        if reference == "last" || reference.hasPrefix("last~") {
            let back = reference == "last" ? 0 : Int(reference.dropFirst(5)) ?? -1
            guard back >= 0 else { throw EngineError.unknownRun(reference) }
            let runs = try recentRuns(limit: back + 1)
            guard runs.count == back + 1 else { throw EngineError.unknownRun(reference) }
            return runs[back].id
        }
        return try locked {
            let q = try database.prepare("SELECT id FROM runs WHERE id = ?1 OR id LIKE ?2 ESCAPE '\\' ORDER BY id LIMIT 2")
                .bind(reference, reference.replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%")
            var ids: [String] = []
            while try q.step() { ids.append(q.string(0)!) }
            if ids.contains(reference) { return reference }
            guard ids.count == 1 else { throw EngineError.unknownRun(reference) }
            return ids[0]
        }
    }

    public func run(_ reference: String) throws -> RunDetails {
        let id = try resolveRunID(reference)
        return try locked {
            let q = try database.prepare("""
                SELECT id, started, finished, experiment, experiment_digest, git_commit, status, points,
                  (SELECT count(*) FROM stages s WHERE s.run_id = r.id AND s.status = 'executed'),
                  (SELECT count(*) FROM stages s WHERE s.run_id = r.id AND s.status = 'hit'),
                  (SELECT count(*) FROM stages s WHERE s.run_id = r.id AND s.status = 'failed'),
                  COALESCE((SELECT d.parameters FROM descriptions d WHERE d.digest = r.parameters_digest), r.parameters)
                FROM runs r WHERE id = ?1
                """).bind(id)
            guard try q.step() else { throw EngineError.unknownRun(reference) }
            let summary = summary(q)
            let parameters = q.string(11) ?? "{}"
            return RunDetails(summary: summary, parametersJSON: parameters, stages: try stageRecords(where: "run_id = ?1", id))
        }
    }

    private func stageRecords(where condition: String, _ value: String, limit: Int? = nil) throws -> [StageRecord] {
        let metricsQuery = try database.prepare("SELECT name, value FROM metrics WHERE run_id = ?1 AND point = ?2 AND stage = ?3")
        let q = try database.prepare("""
            SELECT run_id, point, stage, operator, key, status, message, duration, outputs, executor_job FROM stages
            WHERE \(condition) ORDER BY \(limit == nil ? "run_order, row_order" : "run_order DESC, row_order DESC LIMIT \(limit!)")
            """).bind(value)
        var out: [StageRecord] = []
        while try q.step() {
            var record = StageRecord(
                runID: q.string(0) ?? "", point: q.string(1) ?? "", stage: q.string(2) ?? "", operatorName: q.string(3) ?? "",
                key: q.string(4).flatMap(Digest.init(hex:)), status: q.string(5) ?? "", message: q.string(6),
                duration: q.double(7) ?? 0, outputs: History.decodeOutputs(q.string(8) ?? ""), metrics: [:],
                executorJobID: q.string(9))
            try metricsQuery.bind(record.runID, record.point, record.stage)
            while try metricsQuery.step() { record.metrics[metricsQuery.string(0) ?? ""] = metricsQuery.double(1) }
            out.append(record)
        }
        return out
    }

    /// The latest record of a stage (in any run), with its artifacts and metrics.
    public func latestRecord(stage: String, point: String? = nil) throws -> StageRecord? {
        try locked {
            try stageRecords(where: "stage = ?1", stage, limit: 50).first { point == nil || $0.point == point }
        }
    }

    /// The latest record of a stage that has a key (it was a hit or it executed), newest first.
    func latestKeyedRecord(stage: String, point: String) throws -> StageRecord? {
        try locked {
            try stageRecords(where: "stage = ?1 AND key IS NOT NULL AND status IN ('hit', 'executed')", stage, limit: 50)
                .first { $0.point == point }
        }
    }

    /// The outputs of the latest hit or execution of a stage, before the current run is recorded.
    func latestOutputs(stage: String, point: String) throws -> [String: Digest]? {
        try locked {
            let q = try database.prepare("""
                SELECT outputs FROM stages WHERE stage = ?1 AND point = ?2 AND status IN ('hit', 'executed')
                ORDER BY run_order DESC, row_order DESC LIMIT 1
                """).bind(stage, point)
            return try q.step() ? History.decodeOutputs(q.string(0) ?? "") : nil
        }
    }

    /// The experiment file of the latest run that recorded `key` (hit or executed), if any.
    public func experimentPath(recording key: Digest) throws -> String? {
        try locked {
            let q = try database.prepare(
                "SELECT r.experiment FROM stages s JOIN runs r ON r.id = s.run_id WHERE s.key = ?1 ORDER BY s.run_order DESC, s.row_order DESC LIMIT 1"
            ).bind(key.hex)
            return try q.step() ? q.string(0) : nil
        }
    }

    public func recipe(for key: Digest) throws -> Recipe? {
        try locked {
            let q = try database.prepare("SELECT key, stage, operator, version, parameters, inputs, duration FROM recipes WHERE key = ?1")
                .bind(key.hex)
            guard try q.step() else { return nil }
            return Recipe(
                key: key, stage: q.string(1) ?? "", operatorName: q.string(2) ?? "", operatorVersion: q.int(3) ?? 0,
                parametersJSON: q.string(4) ?? "", inputs: History.decodeOutputs(q.string(5) ?? ""), duration: q.double(6))
        }
    }

    /// Expected seconds to compute a stage: the recorded duration of this exact key if it ever
    /// executed, else the last execution of the same stage name, else nil (no history).
    public func expectedDuration(stage: String, key: Digest?) throws -> Double? {
        if let key, let d = try recipe(for: key)?.duration { return d }
        return try locked {
            let q = try database.prepare("SELECT duration FROM stages WHERE stage = ?1 AND status = 'executed' ORDER BY run_order DESC, row_order DESC LIMIT 1")
                .bind(stage)
            return try q.step() ? q.double(0) : nil
        }
    }

    /// Run ids, newest first, and every output digest their stages recorded (for gc).
    func outputDigests(ofRecentRuns count: Int) throws -> (runs: [String], digests: Set<Digest>, keys: Set<Digest>) {
        let runs = try recentRuns(limit: count).map(\.id)
        return try locked {
            var digests = Set<Digest>()
            var keys = Set<Digest>()
            let q = try database.prepare("SELECT key, outputs FROM stages WHERE run_id = ?1")
            for run in runs {
                try q.bind(run)
                while try q.step() {
                    if let k = q.string(0).flatMap(Digest.init(hex:)) { keys.insert(k) }
                    digests.formUnion(History.decodeOutputs(q.string(1) ?? "").values)
                }
            }
            return (runs, digests, keys)
        }
    }

    /// Two runs side by side: parameter changes by data path, stages whose key changed, metrics with deltas.
    public func diff(_ a: String, _ b: String) throws -> RunDiff {
        let runA = try run(a)
        let runB = try run(b)
        var stages: [RunDiff.StageChange] = []
        var metrics: [RunDiff.MetricRow] = []
        var seen = Set<String>()
        let byA = Dictionary(runA.stages.map { ($0.point + "\u{0}" + $0.stage, $0) }, uniquingKeysWith: { x, _ in x })
        let byB = Dictionary(runB.stages.map { ($0.point + "\u{0}" + $0.stage, $0) }, uniquingKeysWith: { x, _ in x })
        for s in runA.stages + runB.stages {
            let id = s.point + "\u{0}" + s.stage
            guard seen.insert(id).inserted else { continue }
            let x = byA[id], y = byB[id]
            stages.append(.init(point: s.point, stage: s.stage, keyA: x?.key, keyB: y?.key, statusA: x?.status, statusB: y?.status))
            for name in Set((x?.metrics.keys).map(Array.init) ?? []).union(y?.metrics.keys.map { $0 } ?? []).sorted() {
                metrics.append(.init(point: s.point, stage: s.stage, name: name, a: x?.metrics[name], b: y?.metrics[name]))
            }
        }
        return RunDiff(
            runA: runA.summary.id, runB: runB.summary.id,
            parameters: JSONDiff.changes(from: runA.parametersJSON, to: runB.parametersJSON),
            stages: stages, metrics: metrics)
    }

    // MARK: Encoding of name → digest maps ("name hex" lines, names escaped)

    static func encode(outputs: [String: Digest]) -> String {
        if outputs.count == 1, let (name, digest) = outputs.first { return escape(name) + " " + digest.hex }
        return outputs.sorted { $0.key < $1.key }.map { escape($0.key) + " " + $0.value.hex }.joined(separator: "\n")
    }

    static func decodeOutputs(_ text: String) -> [String: Digest] {
        var out: [String: Digest] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let d = Digest(hex: String(parts[1])) { out[unescape(parts[0])] = d }
        }
        return out
    }
}
