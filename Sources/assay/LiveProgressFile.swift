import AssayEngine
import AssaySupport
import Foundation

/// What `assay serve` shows of a run still going: `assay run` keeps `progress/RUN.json` in
/// the store up to date (stage counts, each running stage's step, epoch and loss), rewritten
/// atomically at most twice a second and removed when the run ends. The history only learns
/// a run's stages when it finishes, so this file is the dashboard's only live view.
final class LiveProgressFile: @unchecked Sendable {
    private let folder: URL
    private let lock = NSLock()
    private var runID: String?
    private var total = 0
    private var done = 0
    private var cached = 0
    private var failed = 0
    private var running: [String: [String: Double]] = [:]
    private var lastWrite = Date.distantPast

    init(store: Store) {
        folder = store.root.appendingPathComponent("progress")
    }

    static func path(store root: URL, runID: String) -> URL {
        root.appendingPathComponent("progress").appendingPathComponent("\(runID).json")
    }

    func handle(_ event: EngineEvent) {
        lock.lock()
        defer { lock.unlock() }
        var urgent = false
        switch event {
        case .runStarted(let id, let stages):
            runID = id
            total = stages
            urgent = true
        case .stageHit(let point, let stage, _):
            // A stage shared with another point is announced (`stageShared`), then counted here
            // when its owner completes.
            cached += 1
            done += 1
            running[name(point, stage)] = nil
        case .stageStarted(let point, let stage, _):
            running[name(point, stage)] = [:]
            urgent = true
        case .stageProgress(let point, let stage, let p):
            running[name(point, stage)] = Self.values(of: p)
        case .stageFinished(let point, let stage, _, _):
            done += 1
            running[name(point, stage)] = nil
            urgent = true
        case .stageFailed(let point, let stage, _), .stageSkipped(let point, let stage, _):
            failed += 1
            done += 1
            running[name(point, stage)] = nil
            urgent = true
        case .runFinished:
            removeFile()
            return
        default:
            break
        }
        if urgent || Date().timeIntervalSince(lastWrite) >= 0.5 { write() }
    }

    /// Removes the file of the run, if it wrote one: at the run's end, and when `assay run` leaves
    /// by an error the engine did not report as the run's end.
    func close() {
        lock.lock()
        defer { lock.unlock() }
        removeFile()
    }

    private func removeFile() {
        guard let runID else { return }
        try? FileManager.default.removeItem(at: Self.path(store: folder.deletingLastPathComponent(), runID: runID))
        self.runID = nil
    }

    private func name(_ point: String, _ stage: String) -> String { point.isEmpty ? stage : "\(stage) [\(point)]" }

    /// The figures the dashboard shows for a running stage, by the names its script reads.
    static func values(of progress: StageProgress) -> [String: Double] {
        var values = progress.metrics
        if progress.countsSteps {
            values["step"] = Double(progress.step)
            if let total = progress.totalSteps { values["total-steps"] = Double(total) }
        }
        if let fraction = progress.fraction { values["fraction"] = fraction }
        if let epoch = progress.epoch { values["epoch"] = Double(epoch) }
        if let epochs = progress.epochs { values["epochs"] = Double(epochs) }
        if let loss = progress.loss { values["loss"] = loss }
        if let items = progress.items { values["items"] = Double(items) }
        return values
    }

    /// Best effort: a dashboard that misses one update loses nothing.
    private func write() {
        guard let runID else { return }
        let stages: [CanonicalValue] = running.keys.sorted().map { stage in
            .map(["stage": .string(stage), "metrics": .map(running[stage]!.filter { $0.value.isFinite }.mapValues { .double($0) })])
        }
        let document: CanonicalValue = .map([
            "run": .string(runID), "stages": .int(total), "done": .int(done), "cached": .int(cached), "failed": .int(failed),
            "running": .list(stages), "updated": .double(Date().timeIntervalSince1970),
        ])
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Data(document.canonicalJSON).write(to: Self.path(store: folder.deletingLastPathComponent(), runID: runID), options: .atomic)
        lastWrite = Date()
    }
}
