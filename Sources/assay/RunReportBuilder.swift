import AssayEngine
import AssayReport
import AssaySupport
import Foundation

/// Builds the HTML report of a recorded run from the history and the store: the plan with
/// cache hits, every stage's metrics (each number linked to the digest of the artifact it came
/// from), training curves, per-group / per-class bars, pictures, the sweep comparison, and
/// the experiment file.
struct RunReportBuilder {
    let store: Store
    let details: RunDetails

    func document() -> ReportDocument {
        let summary = details.summary
        let source = (try? String(contentsOfFile: summary.experimentPath, encoding: .utf8)) ?? "(the experiment file \(summary.experimentPath) is no longer there)"
        var notes: [KeyValue] = [KeyValue("run", .code(summary.id)), KeyValue("status", .text(summary.status))]
        if let commit = summary.gitCommit { notes.append(KeyValue("git commit", .code(commit))) }
        if let data = FileManager.default.contents(atPath: summary.experimentPath), Digest.of(data).hex != summary.experimentDigest {
            notes.append(KeyValue("note", .text("the experiment file changed since this run; the text below is today's", tone: .bad)))
        }
        let name = URL(fileURLWithPath: summary.experimentPath).deletingPathExtension().lastPathComponent
        return RunReport(
            experimentName: name, experimentPath: summary.experimentPath, experimentSource: source, runID: String(summary.id.prefix(12)),
            plan: planTable(), summary: notes + headline(), results: sweepSection() + stageSections()
        ).document()
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

    func stageSections() -> [ReportSection] {
        details.stages.compactMap { s -> ReportSection? in
            let scalars = s.metrics.keys.filter { !$0.contains("/") }.sorted()
            var section = ReportSection(title: label(s))
            if !scalars.isEmpty {
                var table = ReportTable(columns: [.init("metric"), .init("value")], showsProvenance: true)
                for name in scalars { table.rows.append([.text(name), .number(s.metrics[name]!, from: s.outputs["metrics"])]) }
                section.add(.table(table))
            }
            // Grouped metrics (`group-accuracy/…`, `iou/…`) as one bar chart per prefix.
            var groups: [String: [(String, Double)]] = [:]
            for (name, value) in s.metrics where name.contains("/") {
                let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
                groups[parts[0], default: []].append((parts[1], value))
            }
            for prefix in groups.keys.sorted() {
                let bars = groups[prefix]!.sorted { $0.0 < $1.0 }
                section.add(.chart(BarChart(title: "\(prefix) — \(s.stage)", categories: bars.map(\.0), values: bars.map(\.1),
                                            highlight: .lowestPerSeries), caption: nil))
            }
            if let curve = trainingCurve(s) { section.add(.chart(curve, caption: nil)) }
            for name in s.outputs.keys.sorted() where name.hasSuffix(".png") {
                if let bytes = try? store.readObject(s.outputs[name]!), let image = try? EmbeddedImage(png: bytes, alt: "\(s.stage) \(name)", caption: name) {
                    section.add(.figure(ReportFigure(images: [image], caption: "\(name) · \(s.outputs[name]!.short)", displayWidth: 640, pixelated: true)))
                }
            }
            if s.status == "failed" { section.add(.note("failed: \(s.message ?? "")", tone: .bad)) }
            return section.blocksAreEmpty ? nil : section
        }
    }

    /// Loss (and accuracy) per epoch from a stage's metrics file, when it records them.
    func trainingCurve(_ s: StageRecord) -> LineChart? {
        guard let digest = s.outputs["metrics"], let bytes = try? store.readObject(digest), let document = try? CanonicalValue(json: bytes),
              let epochs = document["epochs"]?.listValue, epochs.count > 1 else { return nil }
        var series: [String: [ChartPoint]] = [:]
        for (i, e) in epochs.enumerated() {
            let x = e["epoch"]?.doubleValue ?? Double(i + 1)
            for (k, v) in e.mapValue ?? [:] where k != "epoch" {
                if let y = v.doubleValue, y.isFinite { series[k, default: []].append(ChartPoint(x: x, y: y)) }
            }
        }
        guard !series.isEmpty else { return nil }
        return LineChart(title: "training — \(s.stage)", xLabel: "epoch", yLabel: "",
                         series: series.keys.sorted().map { ChartSeries(name: $0, points: series[$0]!) })
    }

    /// For a sweep: every scalar metric against the swept parameters.
    func sweepSection() -> [ReportSection] {
        let points = details.summary.points.filter { !$0.isEmpty }
        guard points.count > 1 else { return [] }
        var parameterNames: [String] = []
        var sweepPoints: [SweepComparison.Point] = []
        for point in points {
            var parameters: [String: SweepComparison.ParameterValue] = [:]
            for pair in point.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { continue }
                if !parameterNames.contains(kv[0]) { parameterNames.append(kv[0]) }
                parameters[kv[0]] = Double(kv[1]).map { .number($0) } ?? .text(kv[1])
            }
            var metrics: [String: Double] = [:]
            for s in details.stages where s.point == point {
                for (name, value) in s.metrics where !name.contains("/") && !s.stage.hasPrefix("datasets.") { metrics["\(s.stage).\(name)"] = value }
            }
            sweepPoints.append(SweepComparison.Point(parameters: parameters, metrics: metrics))
        }
        let interesting = Set(sweepPoints.flatMap(\.metrics.keys)).filter { key in
            ["accuracy", "iou", "tau", "overlap", "jaccard", "loss"].contains { key.contains($0) }
        }.sorted()
        guard !interesting.isEmpty else { return [] }
        return [SweepComparison(parameterNames: parameterNames, metricNames: interesting, points: sweepPoints).section(title: "Sweep")]
    }
}

extension ReportSection {
    var blocksAreEmpty: Bool { blocks.isEmpty && subsections.isEmpty }
}
