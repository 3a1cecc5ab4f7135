import AssayEngine
import AssayLanguage
import AssayReport
import AssaySupport
import Foundation

/// The headline figures, chosen by what the stages are: `report` stages become a grouped bar
/// chart of methods × groups (group names, worst group marked) and a table; segmentation
/// evaluations per-class IoU and their overlays; `compare` stages (attacks) their before/after
/// grids and the ranking shift. Points that differ only in seeds are aggregated: mean ± sd (n).
extension RunReportBuilder {
    func answerSections() -> [ReportSection] {
        var sections: [ReportSection] = []
        let stageNames = details.stages.map(\.stage).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let reports = stageNames.filter { name in details.stages.contains { $0.stage == name && $0.operatorName == StageKind.report.name } }
        // The last report is usually the experiment's answer: put it first.
        for name in reports.reversed() { sections += reportSections(stage: name) }
        if let segmentation = segmentationSection() { sections.append(segmentation) }
        for name in stageNames where details.stages.contains(where: { $0.stage == name && [StageKind.compare.name, StageKind.compareCircuits.name].contains($0.operatorName) }) {
            if let section = comparisonSection(stage: name) { sections.append(section) }
        }
        // A figure answers faster than a table: a report without groups (segmentation's) yields to the IoU chart.
        let charted = sections.filter { $0.blocks.contains { if case .chart = $0 { return true }; return false } }
        let others = sections.filter { !$0.blocks.contains { if case .chart = $0 { return true }; return false } }
        return charted + others
    }

    /// Records of one stage grouped by setting (points equal up to seeds), with the setting's label.
    func records(of stage: String) -> [(setting: String, records: [StageRecord])] {
        let all = details.stages.filter { $0.stage == stage && ($0.status == "executed" || $0.status == "hit") }
        return points.settings(of: all.map(\.point)).map { setting in
            (setting.setting, setting.points.compactMap { p in all.first { $0.point == p } })
        }
    }

    /// Mean ± sd over seeds of `value` across records; one record gives its value alone.
    static func statistics(_ records: [StageRecord], _ value: (StageRecord) -> Double?) -> SeedStatistics? {
        SeedStatistics(records.compactMap(value))
    }

    static func cell(_ stats: SeedStatistics?, format: NumberFormat = .fixed(4), from digest: Digest? = nil, tone: ReportCell.Tone = .normal) -> ReportCell {
        guard let stats else { return .empty }
        if stats.count == 1 { return .number(stats.mean, format: format, from: digest, tone: tone) }
        // Tables state n in their caption; a cell whose n differs says so itself.
        return ReportCell(.text(stats.text(format, showsCount: false)), provenance: nil, tone: tone)
    }

    /// `report` stage: one subsection per setting, the methods × groups chart first.
    func reportSections(stage: String) -> [ReportSection] {
        records(of: stage).compactMap { setting, records -> ReportSection? in
            let documents = records.compactMap { json($0, "report") }
            guard let first = documents.first, let rows = first["rows"]?.listValue, !rows.isEmpty else { return nil }
            let methods = rows.compactMap { $0["method"]?.stringValue }
            let columns = first["columns"]?.listValue?.compactMap(\.stringValue).filter { $0 != "group-accuracy" } ?? []
            // Group names in the order the first method lists them (sorted keys of its map).
            var groupNames: [String] = []
            for row in rows { for name in (row["group-accuracy"]?.mapValue ?? [:]).keys.sorted() where !groupNames.contains(name) { groupNames.append(name) } }
            func values(_ method: String, _ pick: (CanonicalValue) -> Double?) -> SeedStatistics? {
                SeedStatistics(documents.compactMap { doc in doc["rows"]?.listValue?.first { $0["method"]?.stringValue == method }.flatMap(pick) })
            }
            let n = documents.count
            let title = "\(methods.joined(separator: " vs ")) (stage \(stage)\(setting.isEmpty ? "" : ", \(setting)"))"
            var section = ReportSection(title: title)
            if !groupNames.isEmpty {
                let series = methods.map { method -> BarChart.Series in
                    let stats = groupNames.map { g in values(method) { $0["group-accuracy"]?[g]?.doubleValue } }
                    return BarChart.Series(name: method, values: stats.map { $0?.mean ?? .nan }, errors: stats.map { $0?.standardDeviation ?? .nan })
                }
                let chart = BarChart(title: "Accuracy per group", xLabel: "group", yLabel: "accuracy", categories: groupNames, series: series,
                                     highlight: .lowestPerSeries, yDomain: 0...1, valueFormat: .percent(1), width: 760, height: 400)
                section.add(.chart(chart, caption: worstGroupCaption(chart) + (n > 1 ? " Bars: mean over \(n) seeds, whiskers ± 1 sd." : "")))
            } else if columns.contains("kendall-tau") {
                // Attacks: how far each one moved the unit's ranking of exemplars.
                let stats = methods.map { method in values(method) { $0["metrics"]?["kendall-tau"]?.doubleValue } }
                let shown = zip(methods, stats).filter { $0.1 != nil }
                if !shown.isEmpty {
                    let chart = BarChart(title: "Ranking shift (Kendall τ before vs after)", xLabel: "method", yLabel: "Kendall τ",
                                         categories: shown.map(\.0), series: [.init(name: "", values: shown.map { $0.1!.mean }, errors: shown.map { $0.1!.standardDeviation })],
                                         highlight: .lowestPerSeries, yDomain: -1...1, valueFormat: .fixed(2), width: 760, height: 360)
                    section.add(.chart(chart, caption: "1: the ranking is unchanged; 0: unrelated; below 0: reversed. The largest shift is marked."
                                       + (n > 1 ? " Mean over \(n) seeds, whiskers ± 1 sd." : "")))
                }
            }
            var table = ReportTable(columns: [.init("method")] + columns.map { ReportTable.Column($0, format: .fixed(4)) } + groupNames.map { ReportTable.Column($0, format: .fixed(4)) },
                                    showsProvenance: n == 1)
            for method in methods {
                var row: [ReportCell] = [.text(method)]
                for c in columns { row.append(Self.cell(values(method) { $0["metrics"]?[c]?.doubleValue }, from: records[0].outputs["report"])) }
                let groupStats = groupNames.map { g in values(method) { $0["group-accuracy"]?[g]?.doubleValue } }
                let worst = groupStats.compactMap { $0?.mean }.min()
                for stats in groupStats {
                    row.append(Self.cell(stats, from: records[0].outputs["report"], tone: stats?.mean == worst && worst != nil ? .highlight : .normal))
                }
                table.addRow(row)
            }
            table.caption = n > 1 ? "mean ± sd over \(n) seeds" : nil
            section.add(.table(table))
            return section
        }
    }

    /// "Worst group: erm-eval → label=other, border=1 (0.0%); …"
    func worstGroupCaption(_ chart: BarChart) -> String {
        let parts = chart.series.compactMap { s -> String? in
            let finite = s.values.enumerated().filter { $0.element.isFinite && $0.offset < chart.categories.count }
            guard let low = finite.map(\.element).min() else { return nil }
            let worst = finite.filter { $0.element == low }.map { chart.categories[$0.offset] }.joined(separator: " and ")
            return "\(s.name) → \(worst) (\(NumberFormat.percent(1).format(low)))"
        }
        return "Worst group of each method outlined: " + parts.joined(separator: "; ") + "."
    }

    /// Per-class IoU of every segmentation evaluation side by side, then their overlays.
    func segmentationSection() -> ReportSection? {
        let evaluations = details.stages.filter { $0.operatorName == StageKind.segmentationEvaluate.name }.map(\.stage)
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard !evaluations.isEmpty else { return nil }
        var section = ReportSection(title: "Segmentation: IoU per class")
        var classes: [String] = []
        for s in details.stages where evaluations.contains(s.stage) {
            for name in s.metrics.keys.sorted() where name.hasPrefix("iou/") && !classes.contains(String(name.dropFirst(4))) { classes.append(String(name.dropFirst(4))) }
        }
        let all = evaluations.map { stage in records(of: stage).flatMap(\.records) }
        if !classes.isEmpty {
            let series = zip(evaluations, all).map { stage, records -> BarChart.Series in
                let stats = classes.map { c in Self.statistics(records) { $0.metrics["iou/\(c)"] } }
                return BarChart.Series(name: stage, values: stats.map { $0?.mean ?? .nan }, errors: stats.map { $0?.standardDeviation ?? .nan })
            }
            let chart = BarChart(title: "IoU per class", xLabel: "class", yLabel: "IoU", categories: classes, series: series,
                                 highlight: .lowestPerSeries, yDomain: 0...1, valueFormat: .percent(0), width: 760, height: 400)
            let n = all.map(\.count).max() ?? 1
            section.add(.chart(chart, caption: "Lowest class of each model outlined." + (n > 1 ? " Bars: mean over \(n) seeds, whiskers ± 1 sd." : "")))
            var table = ReportTable(caption: n > 1 ? "mean ± sd over \(n) seeds" : nil,
                                    columns: [.init("model"), .init("mean-iou", format: .fixed(4))] + classes.map { ReportTable.Column($0, format: .fixed(4)) })
            for (stage, records) in zip(evaluations, all) {
                table.addRow([.text(stage), Self.cell(Self.statistics(records) { $0.metrics["mean-iou"] })]
                             + classes.map { c in Self.cell(Self.statistics(records) { $0.metrics["iou/\(c)"] }) })
            }
            section.add(.table(table))
        }
        for (stage, records) in zip(evaluations, all) {
            guard let record = records.first, let digest = record.outputs["overlays.png"], let bytes = try? store.readObject(digest),
                  let image = try? EmbeddedImage(png: bytes, alt: "\(stage) overlays", caption: nil) else { continue }
            section.add(.figure(ReportFigure(images: [image], caption: "\(stage): predictions over the test scenes · \(digest.short)", displayWidth: 960, pixelated: true)))
        }
        return section
    }

    /// An attack's effect: the before/after grid and how far the unit's ranking moved.
    func comparisonSection(stage: String) -> ReportSection? {
        let records = records(of: stage).flatMap(\.records)
        guard let first = records.first else { return nil }
        var section = ReportSection(title: "\(stage): before → after" + (records.count > 1 ? " (mean ± sd over \(records.count) seeds)" : ""))
        let shift = ["kendall-tau", "top-k-overlap", "k", "accuracy-delta", "synthetic-distance", "jaccard"].filter { name in records.contains { $0.metrics[name] != nil } }
        if !shift.isEmpty {
            section.add(.keyValues(shift.map { name in
                KeyValue(name == "kendall-tau" ? "ranking shift (Kendall τ, 1 = unchanged)" : name == "top-k-overlap" ? "top-k exemplars kept" : name,
                         Self.cell(Self.statistics(records) { $0.metrics[name] }, format: ["k", "top-k-overlap"].contains(name) ? .automatic : .fixed(4),
                                   from: first.outputs["metrics"]))
            }))
        }
        for name in first.outputs.keys.sorted() where name.hasSuffix(".png") {
            if let bytes = try? store.readObject(first.outputs[name]!), let image = try? EmbeddedImage(png: bytes, alt: "\(stage) \(name)", caption: nil) {
                section.add(.figure(ReportFigure(images: [image], caption: "\(name): before and after the attack · \(first.outputs[name]!.short)", displayWidth: 640, pixelated: true)))
            }
        }
        return section.blocksAreEmpty ? nil : section
    }
}
