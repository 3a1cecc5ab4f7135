import Foundation

/// Points in the plane, optionally with the y = x diagonal: activation rank
/// before against after an attack.
///
/// ```swift
/// let chart = ScatterChart.rankShift(before: originalActivations, after: manipulatedActivations, topK: 9)
/// ```
///
/// In a rank-shift plot rank 1 (the most activating image) sits at the origin;
/// points on the diagonal kept their place, and the dashed guides mark the top-k
/// region so a push-down attack shows as the original top-k leaving it.
public struct ScatterChart: Chart {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// One colour per series (e.g. "original top-k" and "others").
    public var series: [ChartSeries]
    /// Draw y = x.
    public var showsDiagonal: Bool
    /// Dashed guides at x = k and y = k.
    public var guides: Double?
    /// Larger series are drawn as an evenly strided sample of this many points
    /// (a rank-shift over 50 000 images would otherwise be megabytes of circles).
    public var maximumPointsPerSeries: Int = 2000
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String = "", yLabel: String = "", series: [ChartSeries],
                showsDiagonal: Bool = false, guides: Double? = nil, width: Double = 480, height: Double = 400) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.showsDiagonal = showsDiagonal
        self.guides = guides
        self.width = width
        self.height = height
    }

    /// Ranks (1 = highest activation) of each example before and after, with the
    /// original top-k drawn as their own series. Arrays must have equal length;
    /// extra entries of the longer one are ignored.
    public static func rankShift(title: String = "Activation rank before vs after", before: [Double], after: [Double],
                                 topK: Int) -> ScatterChart {
        let count = min(before.count, after.count)
        let rankBefore = ranks(of: Array(before.prefix(count)))
        let rankAfter = ranks(of: Array(after.prefix(count)))
        var top: [ChartPoint] = []
        var rest: [ChartPoint] = []
        for index in 0..<count {
            let point = ChartPoint(x: rankBefore[index], y: rankAfter[index])
            if rankBefore[index] <= Double(topK) { top.append(point) } else { rest.append(point) }
        }
        return ScatterChart(title: title, xLabel: "rank before", yLabel: "rank after",
                            series: [ChartSeries(name: "original top-\(topK)", points: top), ChartSeries(name: "others", points: rest)],
                            showsDiagonal: true, guides: Double(topK))
    }

    /// 1-based descending ranks; ties share the order of first appearance; NaN ranks last.
    public static func ranks(of values: [Double]) -> [Double] {
        let order = values.indices.sorted { a, b in
            let va = values[a].isNaN ? -Double.infinity : values[a]
            let vb = values[b].isNaN ? -Double.infinity : values[b]
            return va != vb ? va > vb : a < b
        }
        var ranks = [Double](repeating: 0, count: values.count)
        for (position, index) in order.enumerated() { ranks[index] = Double(position + 1) }
        return ranks
    }

    /// Every `count / limit`-th point, in order: deterministic, and spread over the whole series.
    static func sample(_ points: [ChartPoint], limit: Int) -> [ChartPoint] {
        guard limit > 0, points.count > limit else { return points }
        return (0..<limit).map { points[$0 * points.count / limit] }
    }

    public func svg(standalone: Bool) -> String {
        var canvas = ChartCanvas(width: width, height: height)
        let names = series.map(\.name)
        let legendLeft = canvas.reserveLegend(names)
        var writer = SVGWriter()
        canvas.begin(&writer, title: title, kind: "scatter-chart", standalone: standalone)

        var xs = series.flatMap { $0.points.map(\.x) }
        var ys = series.flatMap { $0.points.map(\.y) }
        if showsDiagonal {
            // Both axes share one domain so the diagonal is at 45°.
            xs += ys
            ys = xs
        }
        if let guides { xs.append(guides); ys.append(guides) }
        let xTicks = AxisTicks.linear(covering: xs, targetCount: 6)
        let yTicks = AxisTicks.linear(covering: ys, targetCount: 6)
        canvas.drawYAxis(&writer, ticks: yTicks, label: yLabel)
        canvas.drawXAxis(&writer, ticks: xTicks, label: xLabel, grid: true)

        if showsDiagonal {
            let low = max(xTicks.lower, yTicks.lower), high = min(xTicks.upper, yTicks.upper)
            if let a = xTicks.fraction(of: low), let b = yTicks.fraction(of: low),
               let c = xTicks.fraction(of: high), let d = yTicks.fraction(of: high) {
                writer.line(x1: canvas.x(a), y1: canvas.y(b), x2: canvas.x(c), y2: canvas.y(d), className: "diagonal")
            }
        }
        if let guides, let fx = xTicks.fraction(of: guides), let fy = yTicks.fraction(of: guides) {
            writer.line(x1: canvas.x(fx), y1: canvas.plotTop, x2: canvas.x(fx), y2: canvas.plotBottom, className: "guide")
            writer.line(x1: canvas.plotLeft, y1: canvas.y(fy), x2: canvas.plotRight, y2: canvas.y(fy), className: "guide")
        }

        var drewAnything = false
        for (index, one) in series.enumerated() {
            writer.open("g", [("class", "series-group"), ("data-series", one.name)])
            for point in ScatterChart.sample(one.points, limit: maximumPointsPerSeries) {
                guard let fx = xTicks.fraction(of: point.x), let fy = yTicks.fraction(of: point.y) else { continue }
                drewAnything = true
                writer.empty("circle", [("class", "point filled \(ChartStyle.seriesClass(index))"), ("cx", SVGWriter.number(canvas.x(fx))),
                                        ("cy", SVGWriter.number(canvas.y(fy))), ("r", "3")])
            }
            writer.close("g")
            writer.newline()
        }
        if !drewAnything { canvas.drawEmptyNote(&writer) }
        if let legendLeft { canvas.drawLegend(&writer, left: legendLeft, labels: names, swatch: .box) }
        canvas.end(&writer)
        return writer.markup
    }
}
