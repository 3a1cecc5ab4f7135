import AssaySupport
import Foundation

/// A run's own record, `runs/<id>` in the store: what the run was (experiment, parameters,
/// points) and how each stage fared. The history database is an index over these files and
/// the action records, so a damaged `history.sqlite` can be rebuilt from them.
///
/// Line-oriented text, names percent-escaped as in action records:
///
///     assay-run 1
///     id <id>               started <s>          experiment <path>    experiment-digest <hex>
///     git <commit>          parameters-digest <hex>                   point <label> (one per sweep point)
///     stage <point> <stage> <operator> <key|-> <status> <duration> <job> <message>
///     finished <s> <status>
///
/// The header is written when the run starts. While it runs, stages that finish are appended
/// (hits in batches, written when a stage starts executing, finishes or fails), so a run
/// killed by SIGKILL still says what it finished. When it ends, the file is rewritten whole with every stage's
/// final report and the `finished` line.
///
/// The parameters JSON is stored once by content beside the records (`descriptions/<hex>`,
/// see `Store+RunDescriptions`); records written before that carry it inline (`parameters <json>`).
public struct RunRecord: Sendable, Equatable {
    public struct Stage: Sendable, Equatable {
        public var point: String
        public var stage: String
        public var operatorName: String
        public var key: Digest?
        /// `StageStatus.word`.
        public var status: String
        public var duration: Double
        public var executorJobID: String? = nil
        public var message: String? = nil
    }

    public var id: String
    public var started: Double
    public var description: RunDescription
    public var points: [String]
    public var stages: [Stage] = []
    /// Nil while the run is live, or when its process died before it ended.
    public var finished: (time: Double, status: String)?

    public static func == (a: RunRecord, b: RunRecord) -> Bool {
        a.id == b.id && a.started == b.started && a.description == b.description && a.points == b.points
            && a.stages == b.stages && a.finished?.time == b.finished?.time && a.finished?.status == b.finished?.status
    }

    static let magic = "assay-run 1"

    func headerText() -> String {
        var text = RunRecord.magic + "\n"
        text += "id \(escape(id))\nstarted \(started)\nexperiment \(escape(description.experimentPath))\n"
        text += "experiment-digest \(escape(description.experimentDigest))\n"
        if let git = description.gitCommit { text += "git \(escape(git))\n" }
        text += "parameters-digest \(description.parametersDigest.hex)\n"
        for point in points { text += "point \(escape(point))\n" }
        return text
    }

    static func line(_ s: Stage) -> String {
        var bytes: [UInt8] = []
        append(s, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One `stage` line, appended as bytes: a run's end rewrites one per stage, 10,001 for a no-op.
    static func append(_ s: Stage, to out: inout [UInt8]) {
        out.append(contentsOf: "stage ".utf8)
        out.append(contentsOf: escape(s.point).utf8)
        out.append(32)
        out.append(contentsOf: escape(s.stage).utf8)
        out.append(32)
        out.append(contentsOf: escape(s.operatorName).utf8)
        out.append(32)
        if let key = s.key { out.append(contentsOf: key.hex.utf8) } else { out.append(UInt8(ascii: "-")) }
        out.append(32)
        out.append(contentsOf: s.status.utf8)
        out.append(32)
        // A hit's duration is 0, written as `Double.description` writes it.
        if s.duration == 0 && s.duration.sign == .plus { out.append(contentsOf: "0.0".utf8) } else { out.append(contentsOf: s.duration.description.utf8) }
        out.append(32)
        out.append(contentsOf: escape(s.executorJobID ?? "").utf8)
        out.append(32)
        out.append(contentsOf: escape(s.message ?? "").utf8)
        out.append(10)
    }

    func encoded() -> [UInt8] {
        var bytes = Array(headerText().utf8)
        bytes.reserveCapacity(bytes.count + stages.count * 160)
        for s in stages { RunRecord.append(s, to: &bytes) }
        if let finished { bytes.append(contentsOf: "finished \(finished.time) \(finished.status)\n".utf8) }
        return bytes
    }

    /// Parses a run record; a later `stage` line for the same point and stage replaces an earlier one.
    /// - Parameter parameters: the stored parameters JSON of a digest (`Store.storedParameters`).
    ///   A record whose parameters are no longer stored keeps its stages, with parameters `{}`.
    static func decode(_ bytes: [UInt8], path: String, parameters: (Digest) -> String?) throws -> RunRecord {
        func fail(_ message: String) -> EngineError { .malformedRecord(path: path, message: message) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == Substring(magic) else { throw fail("expected `\(magic)` on the first line") }
        var record = RunRecord(id: "", started: 0, description: RunDescription(), points: [])
        var index: [String: Int] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            func field(_ i: Int) throws -> String {
                guard i < fields.count else { throw fail("line `\(line)` has too few fields") }
                return unescape(fields[i])
            }
            func number(_ i: Int) throws -> Double {
                guard let v = Double(try field(i)) else { throw fail("bad number in `\(line)`") }
                return v
            }
            switch fields[0] {
            case "id": record.id = try field(1)
            case "started": record.started = try number(1)
            case "experiment": record.description.experimentPath = try field(1)
            case "experiment-digest": record.description.experimentDigest = try field(1)
            case "git": record.description.gitCommit = try field(1)
            case "parameters": record.description.parametersJSON = try field(1)
            case "parameters-digest":
                guard let digest = Digest(hex: try field(1)) else { throw fail("bad digest in `\(line)`") }
                record.description.parametersJSON = parameters(digest) ?? "{}"
            case "point": record.points.append(try field(1))
            case "stage":
                let keyText = try field(4)
                let job = try field(7), message = try field(8)
                var key: Digest?
                if keyText != "-" {
                    guard let parsed = Digest(hex: keyText) else { throw fail("bad key in `\(line)`") }
                    key = parsed
                }
                let stage = Stage(
                    point: try field(1), stage: try field(2), operatorName: try field(3), key: key,
                    status: try field(5), duration: try number(6), executorJobID: job.isEmpty ? nil : job,
                    message: message.isEmpty ? nil : message)
                let id = stage.point + "\u{0}" + stage.stage
                if let at = index[id] { record.stages[at] = stage } else { index[id] = record.stages.count; record.stages.append(stage) }
            case "finished": record.finished = (try number(1), try field(2))
            default: break  // lines from a newer writer
            }
        }
        guard !record.id.isEmpty else { throw fail("it names no run id") }
        return record
    }
}

extension Store {
    var runRecordsPath: String { rootPath + "/runs" }

    func runRecordPath(_ runID: String) -> String { runRecordsPath + "/" + runID }

    /// Every run record in the store, oldest first (run ids sort by start time), and the files
    /// that could not be read.
    func runRecords() -> (records: [RunRecord], unreadable: [String]) {
        var records: [RunRecord] = []
        var unreadable: [String] = []
        for name in FileSystem.contents(of: runRecordsPath).sorted() where !name.hasPrefix(".") {
            let path = runRecordPath(name)
            guard let bytes = try? FileSystem.readFile(path), let record = try? RunRecord.decode(bytes, path: path, parameters: { self.storedParameters($0) }) else {
                unreadable.append(path)
                continue
            }
            records.append(record)
        }
        return (records, unreadable)
    }
}

/// Writes one live run's record: the header at the start, stages as they finish, the whole
/// record at the end. Called from the run's observer (one thread at a time).
final class RunRecordWriter: @unchecked Sendable {
    private let path: String
    private let store: Store
    private var record: RunRecord
    private let operatorName: (_ point: String, _ stage: String) -> String
    /// Finished stages not yet appended to the file: hits wait for the next execution or
    /// failure, so a run of cache hits writes nothing until it ends.
    private var pending: [RunRecord.Stage] = []
    private let lock = NSLock()

    init(store: Store, record: RunRecord, operatorName: @escaping (_ point: String, _ stage: String) -> String) throws {
        self.store = store
        self.record = record
        self.operatorName = operatorName
        path = store.runRecordPath(record.id)
        try FileSystem.writeAtomically(Array(record.headerText().utf8), to: path, temporaryDirectory: store.temporaryPath, sync: false)
    }

    func note(_ event: EngineEvent) {
        let stage: RunRecord.Stage
        var flush = false
        switch event {
        case .stageHit(let point, let name, let key):
            stage = .init(point: point, stage: name, operatorName: operatorName(point, name), key: key, status: "hit", duration: 0)
        case .stageFinished(let point, let name, let key, let duration):
            stage = .init(point: point, stage: name, operatorName: operatorName(point, name), key: key, status: "executed", duration: duration)
            flush = true
        case .stageFailed(let point, let name, let message):
            stage = .init(point: point, stage: name, operatorName: operatorName(point, name), key: nil, status: "failed", duration: 0, message: message)
            flush = true
        case .stageSkipped(let point, let name, let because):
            stage = .init(point: point, stage: name, operatorName: operatorName(point, name), key: nil, status: "skipped", duration: 0, message: because)
        case .stageStarted:
            // Something slow follows: write the hits so far, so a kill does not lose them.
            lock.lock()
            defer { lock.unlock() }
            if !pending.isEmpty { appendPending() }
            return
        default:
            return
        }
        lock.lock()
        defer { lock.unlock() }
        pending.append(stage)
        if flush { appendPending() }
    }

    /// O_APPEND writes of whole lines: no fsync (the history is the durable copy while the
    /// process lives; this file matters when it did not end).
    private func appendPending() {
        let text = pending.map(RunRecord.line).joined()
        pending.removeAll()
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }

    /// Rewrites the record whole with every stage's final report.
    func finish(status: RunStatus, stages: [StageReport]) throws {
        lock.lock()
        defer { lock.unlock() }
        pending.removeAll()
        record.stages = stages.map { s in
            .init(point: s.point, stage: s.stage, operatorName: s.operatorName, key: s.key, status: s.status.word,
                  duration: s.duration, executorJobID: s.executorJobID, message: s.status.message)
        }
        record.finished = (Date().timeIntervalSince1970, status.rawValue)
        try FileSystem.writeAtomically(record.encoded(), to: path, temporaryDirectory: store.temporaryPath, sync: false)
    }
}
