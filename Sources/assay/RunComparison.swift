import AssayEngine
import AssayLanguage
import AssayReport
import AssaySupport
import Foundation

/// Two or more recorded runs side by side, each against the first: what differs in their
/// resolved experiments (in the experiment's words, one line per cause), metric deltas
/// (unchanged metrics hidden unless asked), and, given the store, their training curves
/// overlaid. `assay diff --report` and the dashboard's comparison page render this.
struct RunComparison {
    let runs: [RunDetails]
    var store: Store?
    var showsUnchanged: Bool

    init(runs: [RunDetails], store: Store? = nil, showsUnchanged: Bool = false) {
        self.runs = runs
        self.store = store
        self.showsUnchanged = showsUnchanged
    }

    static func name(_ run: RunDetails) -> String { "run \(run.summary.id)" }

    static func parameters(_ a: RunDetails, _ b: RunDetails) -> [ParameterChange] {
        guard let x = try? CanonicalValue(json: a.parametersJSON), let y = try? CanonicalValue(json: b.parametersJSON) else { return [] }
        return ParameterChange.between(x, y)
    }

    /// The first two runs' parameter changes (what `assay diff` prints).
    var parameters: [ParameterChange] { runs.count > 1 ? Self.parameters(runs[0], runs[1]) : [] }

    func diff(_ other: RunDetails) -> AssayReport.RunDiff {
        AssayReport.RunDiff(before: summary(of: runs[0]), after: summary(of: other), parameters: Self.parameters(runs[0], other), showsUnchanged: showsUnchanged)
    }

    /// A run's metrics as `stage.metric` (group ids replaced by group names when the store is
    /// at hand), results before data-set counts; a sweep's points that differ only in seeds
    /// become one mean each, so a single run and a seed sweep compare metric by metric.
    func summary(of run: RunDetails) -> AssayReport.RunSummary {
        var metrics: [AssayReport.RunSummary.Metric] = []
        var keys: [String: Digest] = [:]
        let seeds = SeedSummary(run, always: true)
        for row in seeds.rows {
            let stage = row.setting.isEmpty ? row.stage : "\(row.stage) [\(row.setting)]"
            let record = run.stages.first { $0.stage == row.stage && SweepPoints(run).setting(of: $0.point) == row.setting }
            var name = row.metric
            if let store, let record, name.hasPrefix("group-accuracy."),
               let group = RunReportBuilder(store: store, details: run).groupNames(record)[String(name.dropFirst("group-accuracy.".count))] {
                name = "group-accuracy[\(group)]"
            }
            metrics.append(.init(name: "\(stage).\(name)", value: row.statistics.mean,
                                 provenance: row.statistics.count == 1 ? record?.outputs["metrics"] : nil))
        }
        for s in run.stages where s.point.isEmpty || run.summary.points.count == 1 { if let key = s.key { keys[s.stage] = key } }
        let isData = { (m: AssayReport.RunSummary.Metric) in m.name.hasPrefix("datasets.") || m.name.hasPrefix("groups.") }
        return AssayReport.RunSummary(name: Self.name(run), metrics: metrics.filter { !isData($0) } + metrics.filter(isData), stageKeys: keys)
    }

    func sections() -> [ReportSection] {
        var sections = runs.dropFirst().map { other in diff(other).section(title: "\(Self.name(runs[0])) → \(Self.name(other))") }
        if let curves = overlaidCurves() { sections.append(curves) }
        return sections
    }

    func document() -> ReportDocument {
        ReportDocument(title: runs.map(Self.name).joined(separator: " vs "), subtitle: runs.map { $0.summary.experimentPath }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: ", "),
                       sections: sections())
    }

    /// Every training stage's loss and accuracy per epoch, one line per run.
    func overlaidCurves() -> ReportSection? {
        guard let store else { return nil }
        var charts: [any Chart] = []
        let stages = runs.flatMap { run in run.stages.filter { [StageKind.train.name, StageKind.segmentationTrain.name].contains($0.operatorName) }.map(\.stage) }
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for stage in stages {
            var perMetric: [String: [ChartSeries]] = [:]
            for run in runs {
                guard let record = run.stages.first(where: { $0.stage == stage }) else { continue }
                let builder = RunReportBuilder(store: store, details: run)
                for chart in builder.trainingCurves(record) {
                    for series in chart.series { perMetric[series.name, default: []].append(ChartSeries(name: "\(Self.name(run)) \(series.name)", points: series.points)) }
                }
            }
            for metric in perMetric.keys.sorted() where metric == "loss" || metric.contains("accuracy") {
                charts.append(LineChart(title: "\(metric) — \(stage)", xLabel: "epoch", yLabel: metric, series: perMetric[metric]!,
                                        yDomain: metric.contains("accuracy") ? 0...1 : nil, showsMarkers: true, width: 480, height: 300))
            }
        }
        guard !charts.isEmpty else { return nil }
        var section = ReportSection(title: "Training curves")
        section.add(.chartRow(charts, caption: "One line per run; loss and accuracy on separate axes."))
        return section
    }
}

extension AssayReport.RunSummary {
    func named(_ name: String) -> AssayReport.RunSummary {
        var copy = self
        copy.name = name
        return copy
    }
}
