/// Bars per category, optionally grouped by series: per-group accuracy of
/// several methods, per-class IoU.
///
/// ```swift
/// let chart = BarChart(title: "Accuracy per group", yLabel: "accuracy",
///                      categories: ["landbird/land", "landbird/water", "waterbird/land", "waterbird/water"],
///                      series: [.init(name: "ERM", values: erm), .init(name: "DFR", values: dfr)],
///                      highlight: .lowestPerSeries, yDomain: 0...1, valueFormat: .percent(1))
/// ```
///
/// `highlight: .lowestPerSeries` marks each method's worst group, ties included (outlined bar,
/// category label in the highlight colour); with a single series the bar is
/// filled in the highlight colour instead.
public struct BarChart: Chart {
    public struct Series: Sendable, Equatable {
        public var name: String
        /// One value per category; NaN leaves the slot empty.
        public var values: [Double]
        /// Half-lengths of error bars (± one standard deviation over seeds), one per value; NaN or absent draws none.
        public var errors: [Double]

        public init(name: String, values: [Double], errors: [Double] = []) {
            self.name = name
            self.values = values
            self.errors = errors
        }
    }

    public enum Highlight: Sendable, Equatable {
        case none
        /// The smallest finite value of each series (worst-group accuracy).
        case lowestPerSeries
        /// The largest finite value of each series.
        case highestPerSeries
        /// Every bar of the named categories.
        case categories([String])
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var categories: [String]
    public var series: [Series]
    public var highlight: Highlight
    /// Values the y axis must include besides 0; nil fits the data.
    public var yDomain: ClosedRange<Double>?
    /// When set, each bar carries its value as a label if there is room.
    public var valueFormat: NumberFormat?
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String = "", yLabel: String = "", categories: [String], series: [Series],
                highlight: Highlight = .none, yDomain: ClosedRange<Double>? = nil, valueFormat: NumberFormat? = nil,
                width: Double = 640, height: Double = 360) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
        self.highlight = highlight
        self.yDomain = yDomain
        self.valueFormat = valueFormat
        self.width = width
        self.height = height
    }

    /// A single-series chart.
    public init(title: String, xLabel: String = "", yLabel: String = "", categories: [String], values: [Double],
                highlight: Highlight = .none, yDomain: ClosedRange<Double>? = nil, valueFormat: NumberFormat? = nil,
                width: Double = 640, height: Double = 360) {
        self.init(title: title, xLabel: xLabel, yLabel: yLabel, categories: categories, series: [Series(name: "", values: values)],
                  highlight: highlight, yDomain: yDomain, valueFormat: valueFormat, width: width, height: height)
    }

    /// Which (series, category) bars are highlighted.
    func highlightedBars() -> Set<[Int]> {
        var marked = Set<[Int]>()
        for (seriesIndex, one) in series.enumerated() {
            let finite = one.values.enumerated().filter { $0.offset < categories.count && $0.element.isFinite }
            switch highlight {
            case .none:
                break
            // Ties are all marked: two groups at the same worst accuracy are both the worst group.
            case .lowestPerSeries:
                if let low = finite.map(\.element).min() { for bar in finite where bar.element == low { marked.insert([seriesIndex, bar.offset]) } }
            case .highestPerSeries:
                if let high = finite.map(\.element).max() { for bar in finite where bar.element == high { marked.insert([seriesIndex, bar.offset]) } }
            case .categories(let names):
                for (index, category) in categories.enumerated() where names.contains(category) {
                    marked.insert([seriesIndex, index])
                }
            }
        }
        return marked
    }

    /// A whisker end kept inside `yDomain`: an accuracy of 0.97 ± 0.05 cannot exceed 1.
    func clamped(_ value: Double) -> Double {
        guard let yDomain else { return value }
        return min(max(value, yDomain.lowerBound), yDomain.upperBound)
    }

    public func svg(standalone: Bool) -> String {
        var canvas = ChartCanvas(width: width, height: height)
        let names = series.map(\.name)
        let legendLeft = series.count > 1 ? canvas.reserveLegend(names) : nil
        let band = canvas.plotWidth / Double(max(categories.count, 1))
        if ChartCanvas.slantsLabels(categories, band: band) {
            canvas.marginBottom += ChartCanvas.slantedLabelDepth(categories)
        }
        var writer = SVGWriter()
        canvas.begin(&writer, title: title, kind: "bar-chart", standalone: standalone)

        let values = series.flatMap { one in
            one.values.prefix(categories.count).enumerated().flatMap { i, v -> [Double] in
                let e = i < one.errors.count && one.errors[i].isFinite ? one.errors[i] : 0
                return [clamped(v - e), clamped(v + e)]
            }
        }
        let yTicks = AxisTicks.linear(covering: values + [0] + (yDomain.map { [$0.lowerBound, $0.upperBound] } ?? []), targetCount: 5)
        canvas.drawYAxis(&writer, ticks: yTicks, label: yLabel)
        let marked = highlightedBars()
        canvas.drawCategoryAxis(&writer, categories: categories, label: xLabel, highlighted: Set(marked.map { $0[1] }))

        if categories.isEmpty || !values.contains(where: \.isFinite) { canvas.drawEmptyNote(&writer) }

        let slotCount = Double(max(series.count, 1))
        let groupWidth = band * 0.8
        let barWidth = groupWidth / slotCount
        let zeroY = canvas.y(min(max(yTicks.fraction(of: 0) ?? 0, 0), 1))
        let single = series.count == 1 ? " single" : ""
        for (seriesIndex, one) in series.enumerated() {
            writer.open("g", [("class", "series-group"), ("data-series", one.name)])
            for (categoryIndex, value) in one.values.prefix(categories.count).enumerated() {
                guard let fraction = yTicks.fraction(of: value) else { continue }
                let top = canvas.y(fraction)
                let x = canvas.plotLeft + band * Double(categoryIndex) + (band - groupWidth) / 2 + barWidth * Double(seriesIndex)
                let isMarked = marked.contains([seriesIndex, categoryIndex])
                let className = "bar filled \(ChartStyle.seriesClass(seriesIndex))\(single)" + (isMarked ? " highlight" : "")
                writer.open("rect", [("class", className), ("x", SVGWriter.number(x + 1)), ("y", SVGWriter.number(min(top, zeroY))),
                                     ("width", SVGWriter.number(max(barWidth - 2, 1))), ("height", SVGWriter.number(abs(zeroY - top)))])
                // A hover tooltip with the exact value.
                let prefix = one.name.isEmpty ? "" : "\(one.name), "
                writer.text("title", [], "\(prefix)\(categories[categoryIndex]): \((valueFormat ?? .automatic).format(value))")
                writer.close("rect")
                if categoryIndex < one.errors.count, one.errors[categoryIndex].isFinite, one.errors[categoryIndex] > 0,
                   let low = yTicks.fraction(of: clamped(value - one.errors[categoryIndex])), let high = yTicks.fraction(of: clamped(value + one.errors[categoryIndex])) {
                    let centre = SVGWriter.number(x + barWidth / 2)
                    writer.open("path", [("class", "error-bar"), ("d", "M\(centre) \(SVGWriter.number(canvas.y(low)))V\(SVGWriter.number(canvas.y(high)))"
                        + "M\(SVGWriter.number(x + barWidth / 2 - 4)) \(SVGWriter.number(canvas.y(low)))h8M\(SVGWriter.number(x + barWidth / 2 - 4)) \(SVGWriter.number(canvas.y(high)))h8")])
                    writer.close("path")
                }
                if let valueFormat {
                    let text = valueFormat.format(value)
                    if ChartCanvas.textWidth(text, fontSize: 10) <= barWidth + 2 {
                        let labelY = value >= 0 ? min(top, zeroY) - 4 : max(top, zeroY) + 12
                        writer.label(text, x: x + barWidth / 2, y: labelY, className: isMarked ? "value-label highlight-label" : "value-label")
                    }
                }
            }
            writer.close("g")
            writer.newline()
        }
        if let legendLeft { canvas.drawLegend(&writer, left: legendLeft, labels: names, swatch: .box) }
        canvas.end(&writer)
        return writer.markup
    }
}
