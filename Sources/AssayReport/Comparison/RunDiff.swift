import AssaySupport

/// Two runs side by side: metric values with deltas coloured by whether they
/// improved, and the stages whose cache key changed (what re-ran, and why the
/// numbers may differ).
///
/// ```swift
/// let diff = RunDiff(before: summaryA, after: summaryB, formats: ["wga": .percent(1)])
/// let html = diff.document(title: "baseline vs all-layer").html()
/// ```
public struct RunDiff: Sendable {
    /// One metric in both runs; a side is nil when the run lacks the metric.
    public struct MetricChange: Sendable, Equatable {
        public var name: String
        public var before: RunSummary.Metric?
        public var after: RunSummary.Metric?

        /// after − before, when both are finite.
        public var delta: Double? {
            guard let a = before?.value, let b = after?.value, a.isFinite, b.isFinite else { return nil }
            return b - a
        }
    }

    public enum StageChangeKind: String, Sendable, Equatable {
        case changed, added, removed
    }

    public struct StageChange: Sendable, Equatable {
        public var stage: String
        public var kind: StageChangeKind
        public var before: Digest?
        public var after: Digest?
    }

    public var before: RunSummary
    public var after: RunSummary
    public var formats: [String: NumberFormat]
    public var directions: [String: MetricDirection]
    /// What differs in the resolved experiments, in the experiment's words.
    public var parameters: [ParameterChange]
    /// Lists metrics equal in both runs too (`assay diff --all`).
    public var showsUnchanged: Bool

    public init(before: RunSummary, after: RunSummary, formats: [String: NumberFormat] = [:], directions: [String: MetricDirection] = [:],
                parameters: [ParameterChange] = [], showsUnchanged: Bool = true) {
        self.before = before
        self.after = after
        self.formats = formats
        self.directions = directions
        self.parameters = parameters
        self.showsUnchanged = showsUnchanged
    }

    /// The metrics to list: all with `showsUnchanged`, else those whose value differs or exists on one side only.
    public var shownMetricChanges: [MetricChange] {
        showsUnchanged ? metricChanges : metricChanges.filter { $0.before?.value != $0.after?.value }
    }

    /// parameter | run A | run B | also set: one row per parameter with the stage settings it caused.
    public func parameterTable() -> ReportTable {
        var table = ReportTable(caption: "Parameters", columns: [.init("parameter"), .init(before.name), .init(after.name), .init("also set", alignment: .leading)])
        for change in parameters {
            table.addRow([.code(change.path), change.before.map { .code($0) } ?? .text("absent", tone: .muted),
                          change.after.map { .code($0) } ?? .text("absent", tone: .muted), .text(change.alsoChanged.joined(separator: ", "), tone: .muted)])
        }
        return table
    }

    /// Every metric of either run: the first run's order, then metrics only the second has.
    public var metricChanges: [MetricChange] {
        var names = before.metrics.map(\.name)
        for metric in after.metrics where !names.contains(metric.name) { names.append(metric.name) }
        return names.map { MetricChange(name: $0, before: before.metric(named: $0), after: after.metric(named: $0)) }
    }

    /// Stages whose key differs, appeared or disappeared, sorted by name; unchanged stages are left out.
    public var stageChanges: [StageChange] {
        let names = Set(before.stageKeys.keys).union(after.stageKeys.keys).sorted()
        return names.compactMap { name in
            let a = before.stageKeys[name], b = after.stageKeys[name]
            switch (a, b) {
            case let (a?, b?) where a != b: return StageChange(stage: name, kind: .changed, before: a, after: b)
            case (nil, let b?): return StageChange(stage: name, kind: .added, before: nil, after: b)
            case (let a?, nil): return StageChange(stage: name, kind: .removed, before: a, after: nil)
            default: return nil
            }
        }
    }

    /// metric | run A | run B | Δ, with the delta marked ▲/▼ and toned by direction.
    public func metricTable() -> ReportTable {
        var table = ReportTable(caption: "Metrics", columns: [
            .init("metric"), .init(before.name), .init(after.name), .init("Δ", alignment: .trailing),
        ], showsProvenance: true)
        for change in shownMetricChanges {
            let format = formats[change.name] ?? .automatic
            let direction = directions[change.name] ?? MetricDirection.guess(for: change.name)
            var row: [ReportCell] = [.text(change.name)]
            row.append(change.before.map { .number($0.value, format: format, from: $0.provenance) } ?? .text("absent", tone: .muted))
            row.append(change.after.map { .number($0.value, format: format, from: $0.provenance) } ?? .text("absent", tone: .muted))
            if let delta = change.delta, let a = change.before?.value, let b = change.after?.value {
                row.append(ReportCell(.text(RunDiff.deltaText(delta, format: format)), tone: direction.tone(before: a, after: b)))
            } else {
                row.append(.empty)
            }
            table.addRow(row)
        }
        return table
    }

    /// `+2.5 pp ▲`, `−0.013 ▼`, `0`: the sign spelled out, percentages as points.
    static func deltaText(_ delta: Double, format: NumberFormat) -> String {
        if delta == 0 { return "0" }
        let arrow = delta > 0 ? " ▲" : " ▼"
        let sign = delta > 0 ? "+" : "−"
        let magnitude: String
        switch format {
        case .percent(let decimals):
            magnitude = NumberFormat.fixedText(abs(delta) * 100, decimals: decimals) + " pp"
        default:
            magnitude = format.format(abs(delta))
        }
        return sign + magnitude + arrow
    }

    public func stageTable() -> ReportTable {
        var table = ReportTable(caption: "Stages whose key changed", columns: [
            .init("stage"), .init("change"), .init("key in \(before.name)"), .init("key in \(after.name)"),
        ])
        for change in stageChanges {
            table.addRow([.text(change.stage), .text(change.kind.rawValue),
                          change.before.map { .code($0.short) } ?? .empty, change.after.map { .code($0.short) } ?? .empty])
        }
        return table
    }

    /// A section with the metric table, a bar chart of the 0–1 scores, and the changed stages.
    public func section(title: String) -> ReportSection {
        var section = ReportSection(title: title)
        if parameters.isEmpty {
            section.add(.note("The resolved experiments are identical.", tone: .muted))
        } else {
            section.add(.table(parameterTable()))
        }
        section.add(.table(metricTable()))
        let hidden = metricChanges.count - shownMetricChanges.count
        if hidden > 0 { section.add(.note("\(hidden) metrics equal in both runs are not listed.", tone: .muted)) }
        // Scores in 0...1 that improve upwards (accuracies, IoU) share a scale: one chart compares them honestly.
        let fractions = shownMetricChanges.filter { change in
            (directions[change.name] ?? MetricDirection.guess(for: change.name)) == .higherIsBetter
                && [change.before?.value, change.after?.value].allSatisfy { $0.map { $0 >= 0 && $0 <= 1 } ?? false }
        }
        if !fractions.isEmpty {
            section.add(.chart(BarChart(title: "Scores (0–1)", categories: fractions.map(\.name), series: [
                .init(name: before.name, values: fractions.map { $0.before?.value ?? .nan }),
                .init(name: after.name, values: fractions.map { $0.after?.value ?? .nan }),
            ], yDomain: 0...1), caption: nil))
        }
        let stages = stageChanges
        if stages.isEmpty {
            section.add(.note("Every stage has the same key in both runs.", tone: .muted))
        } else {
            section.add(.table(stageTable()))
        }
        return section
    }

    /// A whole report for `assay diff A B --report`.
    public func document(title: String, footer: String? = nil) -> ReportDocument {
        ReportDocument(title: title, subtitle: "\(before.name) → \(after.name)", sections: [section(title: "Comparison")], footer: footer)
    }
}
