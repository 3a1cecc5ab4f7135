import AssayEngine
import AssayLanguage
import AssayReport
import AssaySupport

/// Every other stage's results after the answer: its scalar metrics, per-group accuracies by
/// group name and per-class IoU as bars, training curves with loss and accuracy on separate
/// axes, and its pictures. Data stages are left to the data table.
extension RunReportBuilder {
    func stageSections() -> [ReportSection] {
        let stages = details.stages.filter { !Self.isDataStage($0) && $0.operatorName != StageKind.report.name }
        guard !stages.isEmpty else { return [] }
        var parent = ReportSection(title: "Stages")
        for s in stages {
            if let section = stageSection(s) { parent.add(section) }
        }
        return parent.subsections.isEmpty ? [] : [parent]
    }

    func stageSection(_ s: StageRecord) -> ReportSection? {
        // `group-accuracy.0`, `iou/road`: one bar chart per prefix of rates; everything else in the table.
        var bars: [String: [(String, Double)]] = [:]
        var scalars: [String] = []
        let names = groupNames(s)
        for name in s.metrics.keys.sorted() {
            if let cut = name.firstIndex(where: { $0 == "." || $0 == "/" }), Self.isRate(String(name[..<cut])) {
                let suffix = String(name[name.index(after: cut)...])
                bars[String(name[..<cut]), default: []].append((names[suffix] ?? suffix, s.metrics[name]!))
            } else {
                scalars.append(name)
            }
        }
        var section = ReportSection(title: label(s))
        if !scalars.isEmpty {
            var table = ReportTable(columns: [.init("metric"), .init("value")], showsProvenance: true)
            for name in scalars { table.rows.append([.text(name), .number(s.metrics[name]!, from: s.outputs["metrics"])]) }
            section.add(.table(table))
        }
        for prefix in bars.keys.sorted() {
            let values = bars[prefix]!
            section.add(.chart(BarChart(title: "\(prefix) — \(s.stage)", yLabel: prefix.contains("iou") ? "IoU" : "accuracy",
                                        categories: values.map(\.0), values: values.map(\.1), highlight: .lowestPerSeries,
                                        yDomain: 0...1, valueFormat: .percent(1)), caption: "Lowest value marked."))
        }
        let curves = trainingCurves(s)
        if !curves.isEmpty { section.add(.chartRow(curves, caption: "Per epoch; loss and accuracy on separate axes.")) }
        for name in s.outputs.keys.sorted() where name.hasSuffix(".png") {
            if let bytes = try? store.readObject(s.outputs[name]!), let image = try? EmbeddedImage(png: bytes, alt: "\(s.stage) \(name)", caption: name) {
                section.add(.figure(ReportFigure(images: [image], caption: "\(name) · \(s.outputs[name]!.short)", displayWidth: 640, pixelated: true)))
            }
        }
        if s.status == "failed" { section.add(.note("failed: \(s.message ?? "")", tone: .bad)) }
        return section.blocksAreEmpty ? nil : section
    }

    /// Per-group or per-class rates in [0, 1], worth bars; counts and sizes are not.
    static func isRate(_ prefix: String) -> Bool { prefix.contains("accuracy") || prefix.contains("iou") }

    /// Loss and accuracy per epoch from a stage's metrics file, on two charts: their scales differ.
    func trainingCurves(_ s: StageRecord) -> [LineChart] {
        guard let document = json(s, "metrics"), let epochs = document.listValue ?? document["epochs"]?.listValue, epochs.count > 1 else { return [] }
        var series: [String: [ChartPoint]] = [:]
        for (i, e) in epochs.enumerated() {
            let x = e["epoch"]?.doubleValue ?? Double(i + 1)
            for (k, v) in e.mapValue ?? [:] where k != "epoch" {
                if let y = v.doubleValue, y.isFinite { series[k, default: []].append(ChartPoint(x: x, y: y)) }
            }
        }
        let losses = series.keys.filter { $0.contains("loss") }.sorted()
        let accuracies = series.keys.filter { $0.contains("accuracy") || $0.contains("iou") }.sorted()
        let others = series.keys.filter { !losses.contains($0) && !accuracies.contains($0) }.sorted()
        var charts: [LineChart] = []
        if !losses.isEmpty {
            charts.append(LineChart(title: "loss — \(s.stage)", xLabel: "epoch", yLabel: "loss",
                                    series: losses.map { ChartSeries(name: $0, points: series[$0]!) }, showsMarkers: epochs.count <= 20, width: 480, height: 300))
        }
        if !accuracies.isEmpty {
            charts.append(LineChart(title: "accuracy — \(s.stage)", xLabel: "epoch", yLabel: "accuracy",
                                    series: accuracies.map { ChartSeries(name: $0, points: series[$0]!) }, yDomain: 0...1,
                                    showsMarkers: epochs.count <= 20, width: 480, height: 300))
        }
        for name in others {
            charts.append(LineChart(title: "\(name) — \(s.stage)", xLabel: "epoch", yLabel: name, series: [ChartSeries(name: name, points: series[name]!)],
                                    showsMarkers: epochs.count <= 20, width: 480, height: 300))
        }
        return charts
    }
}
