/// The shared geometry and furniture of a chart: the SVG root, title, plot
/// area, axes, grid and legend. Each chart type supplies only its marks.
struct ChartCanvas {
    let width: Double
    let height: Double
    var marginLeft: Double = 64
    var marginRight: Double = 20
    var marginTop: Double = 36
    var marginBottom: Double = 48

    /// Approximate advance of one character at the 12px chart font; used to
    /// size margins and decide whether labels fit (no font metrics in a library).
    static let characterWidth = 6.6

    var plotLeft: Double { marginLeft }
    var plotRight: Double { width - marginRight }
    var plotTop: Double { marginTop }
    var plotBottom: Double { height - marginBottom }
    var plotWidth: Double { max(plotRight - plotLeft, 1) }
    var plotHeight: Double { max(plotBottom - plotTop, 1) }

    static func textWidth(_ text: String, fontSize: Double = 12) -> Double {
        Double(text.count) * characterWidth * fontSize / 12
    }

    /// Screen x for a fraction along the x axis (0 left, 1 right).
    func x(_ fraction: Double) -> Double { plotLeft + fraction * plotWidth }

    /// Screen y for a fraction along the y axis (0 bottom, 1 top).
    func y(_ fraction: Double) -> Double { plotBottom - fraction * plotHeight }

    /// Reserves room on the right for a legend of these labels; returns the legend's left edge.
    mutating func reserveLegend(_ labels: [String]) -> Double? {
        guard labels.count > 1 || (labels.count == 1 && !labels[0].isEmpty) else { return nil }
        let longest = labels.map { ChartCanvas.textWidth($0) }.max() ?? 0
        let legendWidth = min(longest, 200) + 34
        marginRight += legendWidth
        return width - legendWidth - 8
    }

    /// Opens `<svg>`, writes the accessible title, optional style and the visible title.
    func begin(_ writer: inout SVGWriter, title: String, kind: String, standalone: Bool) {
        var attributes: [(String, String)] = []
        if standalone { attributes.append(("xmlns", "http://www.w3.org/2000/svg")) }
        attributes += [
            ("class", standalone ? "assay-chart \(kind) standalone" : "assay-chart \(kind)"),
            ("viewBox", "0 0 \(SVGWriter.number(width)) \(SVGWriter.number(height))"),
            ("width", SVGWriter.number(width)), ("height", SVGWriter.number(height)),
            ("role", "img"), ("aria-label", title),
        ]
        writer.open("svg", attributes)
        writer.text("title", [], title)
        if standalone {
            writer.open("style")
            writer.raw(ChartStyle.css + "\n" + ChartStyle.standaloneCSS)
            writer.close("style")
        }
        writer.newline()
        if !title.isEmpty {
            writer.label(title, x: width / 2, y: 20, className: "chart-title")
            writer.newline()
        }
    }

    func end(_ writer: inout SVGWriter) {
        writer.close("svg")
    }

    /// Horizontal grid lines, the y axis line, its tick labels and its title.
    func drawYAxis(_ writer: inout SVGWriter, ticks: AxisTicks, label: String) {
        writer.open("g", [("class", "y-axis")])
        for (value, text) in zip(ticks.values, ticks.labels) {
            guard let fraction = ticks.fraction(of: value) else { continue }
            let y = self.y(fraction)
            writer.line(x1: plotLeft, y1: y, x2: plotRight, y2: y, className: "grid")
            writer.label(text, x: plotLeft - 6, y: y + 4, anchor: "end", className: "tick-label")
        }
        writer.line(x1: plotLeft, y1: plotTop, x2: plotLeft, y2: plotBottom, className: "axis")
        if !label.isEmpty {
            let centre = (plotTop + plotBottom) / 2
            writer.label(label, x: 14, y: centre, className: "axis-label",
                         extra: [("transform", "rotate(-90 14 \(SVGWriter.number(centre)))")])
        }
        writer.close("g")
        writer.newline()
    }

    /// The numeric x axis: tick marks, labels and title.
    func drawXAxis(_ writer: inout SVGWriter, ticks: AxisTicks, label: String, grid: Bool = false) {
        writer.open("g", [("class", "x-axis")])
        for (value, text) in zip(ticks.values, ticks.labels) {
            guard let fraction = ticks.fraction(of: value) else { continue }
            let x = self.x(fraction)
            if grid { writer.line(x1: x, y1: plotTop, x2: x, y2: plotBottom, className: "grid") }
            writer.line(x1: x, y1: plotBottom, x2: x, y2: plotBottom + 4, className: "axis")
            writer.label(text, x: x, y: plotBottom + 17, className: "tick-label")
        }
        writer.line(x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, className: "axis")
        drawXAxisTitle(&writer, label)
        writer.close("g")
        writer.newline()
    }

    /// A categorical x axis: one label under the centre of each band, slanted when they would collide.
    func drawCategoryAxis(_ writer: inout SVGWriter, categories: [String], label: String, highlighted: Set<Int> = []) {
        writer.open("g", [("class", "x-axis")])
        let band = plotWidth / Double(max(categories.count, 1))
        let slanted = ChartCanvas.slantsLabels(categories, band: band)
        for (index, category) in categories.enumerated() {
            let x = plotLeft + band * (Double(index) + 0.5)
            let className = highlighted.contains(index) ? "tick-label highlight-label" : "tick-label"
            if slanted {
                let y = plotBottom + 14
                writer.label(ChartCanvas.shortened(category, to: 22), x: x, y: y, anchor: "end", className: className,
                             extra: [("transform", "rotate(-35 \(SVGWriter.number(x)) \(SVGWriter.number(y)))")])
            } else {
                writer.label(category, x: x, y: plotBottom + 17, className: className)
            }
        }
        writer.line(x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, className: "axis")
        drawXAxisTitle(&writer, label)
        writer.close("g")
        writer.newline()
    }

    static func slantsLabels(_ categories: [String], band: Double) -> Bool {
        categories.contains { textWidth($0, fontSize: 11) > band - 4 }
    }

    /// Extra bottom margin slanted category labels need.
    static func slantedLabelDepth(_ categories: [String]) -> Double {
        let longest = categories.map { textWidth(shortened($0, to: 22), fontSize: 11) }.max() ?? 0
        return longest * 0.57 + 10
    }

    static func shortened(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    private func drawXAxisTitle(_ writer: inout SVGWriter, _ label: String) {
        guard !label.isEmpty else { return }
        writer.label(label, x: (plotLeft + plotRight) / 2, y: height - 8, className: "axis-label")
    }

    enum LegendSwatch { case line, box }

    /// One row per entry: a swatch in the series colour and its label.
    func drawLegend(_ writer: inout SVGWriter, left: Double, labels: [String], swatch: LegendSwatch) {
        writer.open("g", [("class", "legend")])
        for (index, label) in labels.enumerated() {
            let y = plotTop + 8 + Double(index) * 18
            let seriesClass = ChartStyle.seriesClass(index)
            switch swatch {
            case .line:
                writer.line(x1: left, y1: y, x2: left + 20, y2: y, className: "series \(seriesClass)")
            case .box:
                writer.empty("rect", [("class", "bar filled \(seriesClass)"), ("x", SVGWriter.number(left + 4)),
                                      ("y", SVGWriter.number(y - 6)), ("width", "12"), ("height", "12")])
            }
            writer.label(ChartCanvas.shortened(label, to: 30), x: left + 26, y: y + 4, anchor: "start", className: "legend-label")
        }
        writer.close("g")
        writer.newline()
    }

    /// Centred note for a chart with nothing to draw.
    func drawEmptyNote(_ writer: inout SVGWriter, _ note: String = "no data") {
        writer.label(note, x: (plotLeft + plotRight) / 2, y: (plotTop + plotBottom) / 2, className: "empty-note")
    }
}
