import AssayEngine
import AssayReport
import AssaySupport
import Foundation

/// Builds the HTML report of a recorded run from the history and the store, led by the answer:
/// the experiment's description, then the headline figures chosen by what the stages are
/// (`RunReportBuilder+Answer`), the data sets as one table (`+Data`), training curves and the
/// remaining per-stage results (`+Stages`), the plan with cache hits, and the experiment file.
/// `assay report`, `assay diff --report` and `assay serve` all render through this type.
struct RunReportBuilder {
    let store: Store
    let details: RunDetails

    var points: SweepPoints { SweepPoints(details) }

    func document() -> ReportDocument {
        report().document()
    }

    func report() -> RunReport {
        let summary = details.summary
        let source = (try? String(contentsOfFile: summary.experimentPath, encoding: .utf8)) ?? "(the experiment file \(summary.experimentPath) is no longer there)"
        var notes: [KeyValue] = [KeyValue("run", .code(summary.id)), KeyValue("status", .text(summary.status))]
        if let commit = summary.gitCommit { notes.append(KeyValue("git commit", .code(commit))) }
        if let data = FileManager.default.contents(atPath: summary.experimentPath), Digest.of(data).hex != summary.experimentDigest {
            notes.append(KeyValue("note", .text("the experiment file changed since this run; the text below is today's", tone: .bad)))
        }
        let seeds = points.sweptSeeds
        if !seeds.isEmpty {
            notes.append(KeyValue("seeds", .text("aggregated over \(seeds.joined(separator: ", ")): mean ± sd (n)")))
        }
        let name = URL(fileURLWithPath: summary.experimentPath).deletingPathExtension().lastPathComponent
        var results = answerSections()
        if let data = dataSection() { results.append(data) }
        results += sweepSection() + stageSections()
        return RunReport(
            experimentName: name, experimentPath: summary.experimentPath, experimentSource: source, runID: summary.id,
            plan: planTable(), description: Self.description(of: source), summary: notes + headline(), results: results)
    }

    /// What the experiment asks: its top-level `description:`, then the comment block that opens the file.
    static func description(of source: String) -> [String] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let opening = lines.prefix { $0.hasPrefix("#") }.map { $0.dropFirst().trimmingCharacters(in: .whitespaces) }
        let description = lines.first { $0.hasPrefix("description:") }.map {
            $0.dropFirst("description:".count).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        return [description, opening.joined(separator: " ")].compactMap { $0 }.filter { !$0.isEmpty }
    }

    func planTable() -> AssayReport.PlanTable {
        AssayReport.PlanTable(rows: details.stages.map { s in
            let status: AssayReport.PlanTable.Status
            switch s.status {
            case "hit": status = .cached
            case "executed": status = .ran
            case "failed": status = .failed
            default: status = .skipped
            }
            return AssayReport.PlanTable.Row(stage: label(s), operation: s.operatorName, key: s.key, status: status, seconds: s.duration > 0 ? s.duration : nil)
        })
    }

    func label(_ s: StageRecord) -> String { s.point.isEmpty ? s.stage : "\(s.stage) [\(s.point)]" }

    /// The worst-group / mean-IoU style headline numbers of the last stage that has them.
    func headline() -> [KeyValue] {
        let preferred = ["worst-group-accuracy", "mean-accuracy", "mean-iou", "kendall-tau", "top-k-overlap", "jaccard"]
        var out: [KeyValue] = []
        for metric in preferred {
            if let s = details.stages.last(where: { $0.metrics[metric] != nil }) {
                out.append(KeyValue("\(metric) (\(label(s)))", .number(s.metrics[metric]!, from: s.outputs["metrics"])))
            }
        }
        return out
    }

    /// A JSON artifact of a stage, parsed; nil when missing or not JSON.
    func json(_ s: StageRecord, _ output: String) -> CanonicalValue? {
        guard let digest = s.outputs[output], let bytes = try? store.readObject(digest) else { return nil }
        return try? CanonicalValue(json: bytes)
    }

    /// Group id → name from a stage's `assay.metrics/1` artifact (`groups[].name`) or its
    /// `assay.groups/1` artifact (`groupNames`).
    func groupNames(_ s: StageRecord) -> [String: String] {
        var names: [String: String] = [:]
        if let groups = json(s, "metrics")?["groups"]?.listValue {
            for g in groups { if let id = g["group"]?.intValue, let name = g["name"]?.stringValue { names[String(id)] = name } }
        }
        if let list = json(s, "groups")?["groupNames"]?.listValue {
            for (i, n) in list.enumerated() { if let name = n.stringValue { names[String(i)] = name } }
        }
        return names
    }

    /// For a sweep: every scalar metric against the swept parameters (seeds aggregated, not plotted).
    func sweepSection() -> [ReportSection] {
        let sweep = points
        let labels = details.summary.points.filter { !$0.isEmpty }
        let parameterNames = sweep.parameterNames
        guard labels.count > 1, !parameterNames.isEmpty else { return [] }
        var sweepPoints: [SweepComparison.Point] = []
        for point in labels {
            var parameters: [String: SweepComparison.ParameterValue] = [:]
            for (name, value) in sweep.values[point] ?? [] where !sweep.seedNames.contains(name) {
                parameters[name] = Double(value).map { .number($0) } ?? .text(value)
            }
            var metrics: [String: Double] = [:]
            for s in details.stages where s.point == point {
                for (name, value) in s.metrics where !name.contains("/") && !s.stage.hasPrefix("datasets.") { metrics["\(s.stage).\(name)"] = value }
            }
            sweepPoints.append(SweepComparison.Point(parameters: parameters, metrics: metrics))
        }
        let interesting = Set(sweepPoints.flatMap(\.metrics.keys)).filter { key in
            ["accuracy", "iou", "tau", "overlap", "jaccard", "loss"].contains { key.contains($0) } && !key.contains("group-accuracy.")
        }.sorted()
        guard !interesting.isEmpty else { return [] }
        return [SweepComparison(parameterNames: parameterNames, metricNames: interesting, points: sweepPoints).section(title: "Sweep")]
    }
}

extension ReportSection {
    var blocksAreEmpty: Bool { blocks.isEmpty && subsections.isEmpty }
}
