import AssayEngine
import Foundation

/// What `assay run` prints when it ends: the counts, failures with their causes, and each
/// stage's scalar metrics (per sweep point).
enum RunSummaryText {
    static func render(_ result: RunResult, session: ExperimentSession, resultsFolder: String?) -> String {
        var lines: [String] = []
        let executed = result.stages.filter { $0.status == .executed }.count
        let hits = result.stages.filter { $0.status == .hit }.count
        let failed = result.stages.filter { if case .failed = $0.status { return true }; return false }
        let skipped = result.stages.filter { if case .skipped = $0.status { return true }; return false }
        let remote = result.remoteHits.count
        let cached = remote > 0 ? "\(hits) cached (\(remote) from the remote cache)" : "\(hits) cached"
        lines.append("run \(result.runID): \(result.status.rawValue) — \(executed) executed, \(cached), \(failed.count) failed, \(skipped.count) skipped")
        for f in failed {
            if case .failed(let message) = f.status { lines.append("  failed: \(label(f)): \(message)") }
        }
        for s in skipped {
            if case .skipped(let cause) = s.status { lines.append("  skipped: \(label(s)) (because `\(cause)` failed)") }
        }
        let withMetrics = result.stages.filter { !$0.metrics.isEmpty && !$0.stage.hasPrefix("datasets.") && !$0.stage.hasPrefix("groups.") }
        if !withMetrics.isEmpty {
            lines.append("")
            var table = TextTable(["stage", "metric", "value"])
            for s in withMetrics {
                for name in s.metrics.keys.sorted() where !name.contains("/") {
                    table.add([label(s), name, Format.metric(s.metrics[name]!)])
                }
            }
            lines.append(table.render())
        }
        for s in result.stages {
            if let text = s.tables["table.txt"] ?? s.tables["table"] {
                lines.append("")
                lines.append("\(label(s)):")
                lines.append(String(decoding: text, as: UTF8.self))
            }
        }
        if let resultsFolder { lines.append("\npictures and tables: \(resultsFolder)") }
        return lines.joined(separator: "\n")
    }

    static func label(_ s: StageReport) -> String { s.point.isEmpty ? s.stage : "\(s.stage) [\(s.point)]" }
}

/// The table `assay plan` and `assay run --dry-run` print: stages in order, key, cached or not, expected cost.
enum PlanText {
    static func render(result: RunResult, engine: Engine, session: ExperimentSession) -> String {
        // Opened only when a stage would run (a no-op plan needs no expected costs).
        let history = result.stages.contains { $0.status == .wouldRun } ? try? engine.store.openHistory() : nil
        var table = TextTable(["stage", "operator", "key", "state", "expected"])
        var pending = 0.0
        for s in ordered(result, session) {
            let state: String
            switch s.status {
            case .hit: state = "cached"
            case .wouldRun: state = s.key == nil ? "will run (after inputs)" : "will run"
            case .notSelected: state = "not selected"
            default: state = s.status.word
            }
            var expected = ""
            if s.status == .wouldRun, let d = try? history?.expectedDuration(stage: s.stage, key: s.key) {
                expected = "~" + Format.duration(d)
                pending += d
            }
            table.add([RunSummaryText.label(s), s.operatorName, s.key?.short ?? "?", state, expected])
        }
        let cached = result.stages.filter { $0.status == .hit }.count
        var text = table.render() + "\n\n\(result.stages.count) stages: \(cached) cached, \(result.stages.count - cached) to run"
        if pending > 0 { text += " (at least \(Format.duration(pending)) from history)" }
        return text
    }
}

extension PlanText {
    /// Stages of each point in the plan's topological order (the order they can run in).
    static func ordered(_ result: RunResult, _ session: ExperimentSession) -> [StageReport] {
        var out: [StageReport] = []
        for point in session.points {
            let reports = Dictionary(result.stages(point: point.label).map { ($0.stage, $0) }, uniquingKeysWith: { a, _ in a })
            for i in point.plan.order { if let r = reports[point.plan.nodes[i].id] { out.append(r) } }
        }
        return out
    }
}
