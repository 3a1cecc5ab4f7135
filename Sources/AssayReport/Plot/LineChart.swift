/// Several series against a shared numeric x axis: training curves.
///
/// ```swift
/// let chart = LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss",
///                       series: [ChartSeries(name: "train", values: trainLoss),
///                                ChartSeries(name: "validation", values: validationLoss)],
///                       yScale: .logarithmic)
/// let svg = chart.standaloneSVG
/// ```
///
/// Non-finite points (and non-positive ones on a log axis) break the line
/// rather than corrupt it. Long series are thinned to a min/max envelope per
/// pixel column, so a 100 000-step curve stays a small file and keeps its spikes.
public struct LineChart: Chart {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    public var xScale: AxisTicks.Scale
    public var yScale: AxisTicks.Scale
    /// Values the y axis must include (e.g. `0...1` for accuracies); nil fits the data.
    public var yDomain: ClosedRange<Double>?
    /// Draw a dot at every point (useful for few points).
    public var showsMarkers: Bool
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String = "", yLabel: String = "", series: [ChartSeries],
                xScale: AxisTicks.Scale = .linear, yScale: AxisTicks.Scale = .linear,
                yDomain: ClosedRange<Double>? = nil, showsMarkers: Bool = false,
                width: Double = 640, height: Double = 360) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xScale = xScale
        self.yScale = yScale
        self.yDomain = yDomain
        self.showsMarkers = showsMarkers
        self.width = width
        self.height = height
    }

    public func svg(standalone: Bool) -> String {
        var canvas = ChartCanvas(width: width, height: height)
        let names = series.map(\.name)
        let legendLeft = canvas.reserveLegend(names)
        var writer = SVGWriter()
        canvas.begin(&writer, title: title, kind: "line-chart", standalone: standalone)

        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) } + (yDomain.map { [$0.lowerBound, $0.upperBound] } ?? [])
        let xTicks = xScale == .logarithmic ? AxisTicks.logarithmic(covering: xs) : AxisTicks.linear(covering: xs, targetCount: 6)
        let yTicks = yScale == .logarithmic ? AxisTicks.logarithmic(covering: ys) : AxisTicks.linear(covering: ys, targetCount: 5)
        canvas.drawYAxis(&writer, ticks: yTicks, label: yLabel)
        canvas.drawXAxis(&writer, ticks: xTicks, label: xLabel)

        let drawable = series.contains { $0.points.contains { xTicks.fraction(of: $0.x) != nil && yTicks.fraction(of: $0.y) != nil } }
        if !drawable { canvas.drawEmptyNote(&writer) }

        for (index, one) in series.enumerated() {
            let seriesClass = ChartStyle.seriesClass(index)
            let segments = LineChart.segments(of: one.points, canvas: canvas, xTicks: xTicks, yTicks: yTicks)
            writer.open("g", [("class", "series-group"), ("data-series", one.name)])
            for segment in segments {
                let thinned = LineChart.envelope(segment, columns: Int(canvas.plotWidth))
                if thinned.count == 1 {
                    // A lone point has no line to show it: mark it.
                    writer.empty("circle", [("class", "marker filled \(seriesClass)"), ("cx", SVGWriter.number(thinned[0].0)),
                                            ("cy", SVGWriter.number(thinned[0].1)), ("r", "3")])
                } else {
                    writer.empty("path", [("class", "series \(seriesClass)"), ("d", SVGWriter.pathData(thinned))])
                }
                if showsMarkers && thinned.count > 1 {
                    for point in thinned {
                        writer.empty("circle", [("class", "marker filled \(seriesClass)"), ("cx", SVGWriter.number(point.0)),
                                                ("cy", SVGWriter.number(point.1)), ("r", "3")])
                    }
                }
            }
            writer.close("g")
            writer.newline()
        }
        if let legendLeft { canvas.drawLegend(&writer, left: legendLeft, labels: names, swatch: .line) }
        canvas.end(&writer)
        return writer.markup
    }

    /// Screen-space runs of drawable points, sorted by x; an undrawable point ends a run.
    static func segments(of points: [ChartPoint], canvas: ChartCanvas, xTicks: AxisTicks, yTicks: AxisTicks) -> [[(Double, Double)]] {
        var runs: [[(Double, Double)]] = []
        var current: [(Double, Double)] = []
        let ordered = points.enumerated().sorted { ($0.element.x, $0.offset) < ($1.element.x, $1.offset) }.map(\.element)
        for point in ordered {
            if let fx = xTicks.fraction(of: point.x), let fy = yTicks.fraction(of: point.y) {
                current.append((canvas.x(fx), canvas.y(fy)))
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// Keeps at most two points (the lowest and highest) per pixel column when a run is denser than the screen.
    static func envelope(_ run: [(Double, Double)], columns: Int) -> [(Double, Double)] {
        guard run.count > 2 * max(columns, 1) else { return run }
        var out: [(Double, Double)] = []
        var bucket: [(Double, Double)] = []
        var bucketColumn = Int(run[0].0.rounded(.down))
        func flush() {
            guard let first = bucket.first else { return }
            var low = first, high = first
            for p in bucket {
                if p.1 < low.1 { low = p }
                if p.1 > high.1 { high = p }
            }
            // Keep x order within the column so the path does not double back.
            let pair = low.0 <= high.0 ? [low, high] : [high, low]
            out.append(pair[0])
            if pair[1].0 != pair[0].0 || pair[1].1 != pair[0].1 { out.append(pair[1]) }
        }
        for point in run {
            let column = Int(point.0.rounded(.down))
            if column != bucketColumn {
                flush()
                bucket = []
                bucketColumn = column
            }
            bucket.append(point)
        }
        flush()
        if let last = run.last, let kept = out.last, kept.0 != last.0 || kept.1 != last.1 { out.append(last) }
        return out
    }
}
