import AssayEngine
import AssayReport

/// A run's metrics aggregated over its seed parameters: per setting (the point without its
/// seeds), stage and metric, the mean ± sd over the seeds (and n). Used by `assay show` and
/// `assay diff`; the report aggregates the same way from the same `SweepPoints`.
struct SeedSummary {
    struct Row: Equatable {
        var setting: String
        var stage: String
        var metric: String
        var statistics: SeedStatistics
    }

    let seeds: [String]
    let rows: [Row]

    /// `always`: also a run without swept seeds (one value per setting, n = 1), to compare with one that has them.
    init(_ details: RunDetails, always: Bool = false) {
        let points = SweepPoints(details)
        seeds = points.sweptSeeds
        var rows: [Row] = []
        guard !seeds.isEmpty || always else { self.rows = []; return }
        let stageNames = details.stages.map(\.stage).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for (setting, labels) in points.settings(of: details.summary.points) {
            for stage in stageNames where always || (!stage.hasPrefix("datasets.") && !stage.hasPrefix("groups.")) {
                let records = details.stages.filter { $0.stage == stage && labels.contains($0.point) }
                let names = Set(records.flatMap(\.metrics.keys)).filter { !$0.contains("/") }.sorted()
                for name in names {
                    if let stats = SeedStatistics(records.compactMap { $0.metrics[name] }) {
                        rows.append(Row(setting: setting, stage: stage, metric: name, statistics: stats))
                    }
                }
            }
        }
        self.rows = rows
    }

    /// `0.9310 ± 0.0120 (n=3)`, four decimals as the other CLI tables.
    static func text(_ s: SeedStatistics) -> String { s.text(.fixed(4)) }

    func row(setting: String, stage: String, metric: String) -> Row? {
        rows.first { $0.setting == setting && $0.stage == stage && $0.metric == metric }
    }
}
