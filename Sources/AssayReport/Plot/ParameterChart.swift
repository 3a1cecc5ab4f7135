/// A metric against a swept parameter: lines with markers, one line per
/// setting of the other swept parameters.
///
/// ```swift
/// let chart = ParameterChart(metric: "worst-group accuracy", parameter: "keep_fraction",
///                            x: .numeric([0.05, 0.1, 0.2, 0.4], logarithmic: false),
///                            series: [.init(name: "", values: [0.71, 0.78, 0.80, 0.76])])
/// ```
///
/// A numeric parameter is placed by value (optionally on a log axis, e.g. the
/// penalty `C`); a categorical one (model names, objectives) at evenly spaced slots.
public struct ParameterChart: Chart {
    public enum XAxis: Sendable, Equatable {
        case numeric([Double], logarithmic: Bool)
        case categorical([String])

        var count: Int {
            switch self {
            case .numeric(let values, _): return values.count
            case .categorical(let labels): return labels.count
            }
        }
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        /// One value per x position; NaN where the metric is missing.
        public var values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public var title: String
    public var metric: String
    public var parameter: String
    public var x: XAxis
    public var series: [Series]
    public var yDomain: ClosedRange<Double>?
    public var width: Double
    public var height: Double

    public init(title: String? = nil, metric: String, parameter: String, x: XAxis, series: [Series],
                yDomain: ClosedRange<Double>? = nil, width: Double = 520, height: Double = 320) {
        self.title = title ?? "\(metric) vs \(parameter)"
        self.metric = metric
        self.parameter = parameter
        self.x = x
        self.series = series
        self.yDomain = yDomain
        self.width = width
        self.height = height
    }

    public func svg(standalone: Bool) -> String {
        var canvas = ChartCanvas(width: width, height: height)
        let names = series.map(\.name)
        let legendLeft = canvas.reserveLegend(names)
        if case .categorical(let labels) = x,
           ChartCanvas.slantsLabels(labels, band: canvas.plotWidth / Double(max(labels.count, 1))) {
            canvas.marginBottom += ChartCanvas.slantedLabelDepth(labels)
        }
        var writer = SVGWriter()
        canvas.begin(&writer, title: title, kind: "parameter-chart", standalone: standalone)

        let ys = series.flatMap { $0.values.prefix(x.count) } + (yDomain.map { [$0.lowerBound, $0.upperBound] } ?? [])
        let yTicks = AxisTicks.linear(covering: ys, targetCount: 5)
        canvas.drawYAxis(&writer, ticks: yTicks, label: metric)

        // Screen x of each parameter position, nil where it cannot be drawn (≤ 0 on a log axis).
        let positions: [Double?]
        switch x {
        case .numeric(let values, let logarithmic):
            let ticks = logarithmic ? AxisTicks.logarithmic(covering: values) : AxisTicks.linear(covering: values, targetCount: 6)
            canvas.drawXAxis(&writer, ticks: ticks, label: parameter)
            positions = values.map { value in ticks.fraction(of: value).map { canvas.x($0) } }
        case .categorical(let labels):
            canvas.drawCategoryAxis(&writer, categories: labels, label: parameter)
            let band = canvas.plotWidth / Double(max(labels.count, 1))
            positions = labels.indices.map { canvas.plotLeft + band * (Double($0) + 0.5) }
        }

        var drewAnything = false
        for (index, one) in series.enumerated() {
            let seriesClass = ChartStyle.seriesClass(index)
            writer.open("g", [("class", "series-group"), ("data-series", one.name)])
            var run: [(Double, Double)] = []
            var runs: [[(Double, Double)]] = []
            // Numeric x: connect in x order; categorical: in slot order.
            let order = ParameterChart.drawingOrder(x)
            for slot in order where slot < one.values.count {
                if let px = positions[slot], let fy = yTicks.fraction(of: one.values[slot]) {
                    run.append((px, canvas.y(fy)))
                } else if !run.isEmpty {
                    runs.append(run)
                    run = []
                }
            }
            if !run.isEmpty { runs.append(run) }
            for segment in runs {
                drewAnything = true
                if segment.count > 1 { writer.empty("path", [("class", "series \(seriesClass)"), ("d", SVGWriter.pathData(segment))]) }
                for point in segment {
                    writer.empty("circle", [("class", "marker filled \(seriesClass)"), ("cx", SVGWriter.number(point.0)),
                                            ("cy", SVGWriter.number(point.1)), ("r", "3.5")])
                }
            }
            writer.close("g")
            writer.newline()
        }
        if !drewAnything { canvas.drawEmptyNote(&writer) }
        if let legendLeft { canvas.drawLegend(&writer, left: legendLeft, labels: names, swatch: .line) }
        canvas.end(&writer)
        return writer.markup
    }

    static func drawingOrder(_ x: XAxis) -> [Int] {
        switch x {
        case .numeric(let values, _):
            return values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
        case .categorical(let labels):
            return Array(labels.indices)
        }
    }
}
