import XCTest
@testable import AssayReport

final class ChartTests: XCTestCase {
    /// One chart of each kind, with ordinary data.
    static func ordinaryCharts() -> [any Chart] {
        [
            LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss",
                      series: [ChartSeries(name: "train", values: [2.3, 1.1, 0.7, 0.5, 0.41]),
                               ChartSeries(name: "validation", values: [2.2, 1.3, 0.9, 0.8, 0.79])],
                      yScale: .logarithmic),
            BarChart(title: "Accuracy per group", yLabel: "accuracy",
                     categories: ["landbird/land", "landbird/water", "waterbird/land", "waterbird/water"],
                     series: [.init(name: "ERM", values: [0.99, 0.74, 0.61, 0.95]), .init(name: "DFR", values: [0.93, 0.88, 0.86, 0.92])],
                     highlight: .lowestPerSeries, yDomain: 0...1, valueFormat: .percent(0)),
            BarChart(title: "IoU per class", categories: ["background", "road", "car"], values: [0.95, 0.71, 0.44],
                     highlight: .lowestPerSeries, valueFormat: .fixed(2)),
            ParameterChart(metric: "wga", parameter: "C", x: .numeric([0.01, 0.1, 1], logarithmic: true),
                           series: [.init(name: "", values: [0.61, 0.78, 0.74])]),
            ParameterChart(metric: "wga", parameter: "objective", x: .categorical(["push-down", "push-up", "fairwash"]),
                           series: [.init(name: "tau", values: [0.2, 0.4, 0.3])]),
            ScatterChart.rankShift(before: [9, 8, 7, 6, 5, 4, 3, 2, 1], after: [1, 2, 3, 9, 8, 7, 6, 5, 4], topK: 3),
            HeatMap(title: "Confusion", rowLabels: ["cat", "dog"], columnLabels: ["cat", "dog"], values: [[40, 10], [5, 45]],
                    rowAxisLabel: "true", columnAxisLabel: "predicted"),
        ]
    }

    /// Every chart kind with empty, constant, non-finite and unplottable data.
    static func degenerateCharts() -> [any Chart] {
        [
            LineChart(title: "empty", series: []),
            LineChart(title: "no points", series: [ChartSeries(name: "a", points: [])]),
            LineChart(title: "constant", series: [ChartSeries(name: "a", values: [0.5, 0.5, 0.5])]),
            LineChart(title: "one point", series: [ChartSeries(name: "a", values: [3])]),
            LineChart(title: "non-finite", series: [ChartSeries(name: "a", values: [.nan, 1, .infinity, 2, -.infinity])]),
            LineChart(title: "log of zeros", series: [ChartSeries(name: "a", values: [0, 0, -1])], yScale: .logarithmic),
            BarChart(title: "no categories", categories: [], values: []),
            BarChart(title: "all missing", categories: ["a", "b"], values: [.nan, .nan], highlight: .lowestPerSeries),
            BarChart(title: "zeros", categories: ["a"], values: [0], valueFormat: .automatic),
            BarChart(title: "short values", categories: ["a", "b", "c"], values: [1]),
            ParameterChart(metric: "m", parameter: "p", x: .numeric([], logarithmic: true), series: []),
            ParameterChart(metric: "m", parameter: "p", x: .numeric([0, 1], logarithmic: true), series: [.init(name: "", values: [.nan, .nan])]),
            ParameterChart(metric: "m", parameter: "p", x: .categorical(["only"]), series: [.init(name: "", values: [7])]),
            ScatterChart(title: "empty scatter", series: []),
            ScatterChart.rankShift(before: [], after: [], topK: 5),
            HeatMap(title: "empty", rowLabels: [], columnLabels: [], values: []),
            HeatMap(title: "constant", rowLabels: ["a", "b"], columnLabels: ["a", "b"], values: [[1, 1], [1]]),
            HeatMap(title: "missing cell", rowLabels: ["a"], columnLabels: ["a"], values: [[.nan]], normalisesRows: true),
        ]
    }

    func testEveryChartIsWellFormedStandaloneSVG() {
        for chart in Self.ordinaryCharts() + Self.degenerateCharts() {
            let svg = chart.standaloneSVG
            assertWellFormedXML(svg)
            XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), chart.title)
            XCTAssertTrue(svg.contains("<style>"), chart.title)
        }
    }

    func testDegenerateDataNeverProducesNonFiniteNumbers() {
        for chart in Self.degenerateCharts() + Self.ordinaryCharts() {
            assertNoNonFiniteNumbers(chart.svg(standalone: false))
        }
    }

    func testChartsWithNothingToDrawSaySo() {
        XCTAssertTrue(LineChart(title: "t", series: []).standaloneSVG.contains("no data"))
        XCTAssertTrue(BarChart(title: "t", categories: ["a"], values: [.nan]).standaloneSVG.contains("no data"))
        XCTAssertFalse(LineChart(title: "t", series: [ChartSeries(name: "a", values: [1, 2])]).standaloneSVG.contains("no data"))
    }

    func testInlineChartsLeaveOutNamespaceAndStyle() {
        let svg = Self.ordinaryCharts()[0].svg(standalone: false)
        XCTAssertFalse(svg.contains("xmlns"))
        XCTAssertFalse(svg.contains("<style>"))
        XCTAssertTrue(svg.contains("class=\"assay-chart line-chart\""))
    }

    func testTextInTitlesLabelsAndSeriesNamesIsEscaped() {
        let hostile = "<script>alert(\"x\")</script> & 'q'"
        let charts: [any Chart] = [
            LineChart(title: hostile, xLabel: hostile, yLabel: hostile, series: [ChartSeries(name: hostile, values: [1, 2])]),
            BarChart(title: hostile, categories: [hostile, "b"], series: [.init(name: hostile, values: [1, 2]), .init(name: "x", values: [2, 1])]),
            ParameterChart(metric: hostile, parameter: hostile, x: .categorical([hostile]), series: [.init(name: hostile, values: [1])]),
            ScatterChart(title: hostile, series: [ChartSeries(name: hostile, points: [ChartPoint(x: 1, y: 1)])]),
            HeatMap(title: hostile, rowLabels: [hostile], columnLabels: [hostile], values: [[1]], rowAxisLabel: hostile),
        ]
        for chart in charts {
            let svg = chart.standaloneSVG
            assertWellFormedXML(svg)
            XCTAssertFalse(svg.contains("<script"), chart.title)
            XCTAssertTrue(svg.contains("&lt;script&gt;"), chart.title)
        }
    }

    func testRenderingTwiceGivesTheSameBytes() {
        for (a, b) in zip(Self.ordinaryCharts(), Self.ordinaryCharts()) {
            XCTAssertEqual(a.standaloneSVG, b.standaloneSVG)
        }
    }

    func testSeriesColoursCycleAndTurnDashedAfterThePalette() {
        XCTAssertEqual(ChartStyle.seriesClass(0), "s0")
        XCTAssertEqual(ChartStyle.seriesClass(9), "s1 dashed")
        let many = LineChart(title: "many", series: (0..<10).map { ChartSeries(name: "run \($0)", values: [Double($0), Double($0 + 1)]) })
        XCTAssertTrue(many.standaloneSVG.contains("series s1 dashed"))
    }

    func testBarChartHighlightsEachSeriesWorstGroup() {
        let chart = BarChart(title: "t", categories: ["a", "b", "c"],
                             series: [.init(name: "ERM", values: [0.9, 0.3, 0.8]), .init(name: "DFR", values: [0.7, 0.8, 0.75])],
                             highlight: .lowestPerSeries)
        XCTAssertEqual(chart.highlightedBars(), [[0, 1], [1, 0]])
        XCTAssertEqual(chart.standaloneSVG.components(separatedBy: " highlight\"").count - 1, 2)
        let single = BarChart(title: "t", categories: ["a", "b"], values: [0.4, .nan], highlight: .highestPerSeries)
        XCTAssertEqual(single.highlightedBars(), [[0, 0]])
        XCTAssertTrue(single.standaloneSVG.contains("bar filled s0 single highlight"))
        // Two groups tied at the worst accuracy are both the worst group.
        let tied = BarChart(title: "t", categories: ["a", "b", "c"], values: [0.905, 0.905, 0.95], highlight: .lowestPerSeries)
        XCTAssertEqual(tied.highlightedBars(), [[0, 0], [0, 1]])
    }

    func testLongCategoryLabelsAreSlantedAndTheChartGrowsNoWider() {
        let labels = (0..<12).map { "a rather long category name \($0)" }
        let chart = BarChart(title: "t", categories: labels, values: labels.map { _ in 0.5 })
        let svg = chart.standaloneSVG
        XCTAssertTrue(svg.contains("rotate(-35"))
        XCTAssertTrue(svg.contains("viewBox=\"0 0 640 360\""))
    }

    func testDenseLineIsThinnedToAnEnvelopeThatKeepsSpikes() {
        var values = (0..<100_000).map { 1.0 + 0.001 * Double($0 % 7) }
        values[54_321] = 50
        let chart = LineChart(title: "steps", series: [ChartSeries(name: "loss", values: values)])
        let svg = chart.standaloneSVG
        XCTAssertLessThan(svg.utf8.count, 60_000)
        // The spike sets the y axis maximum and survives thinning as the path's highest point (smallest y).
        let path = svg.components(separatedBy: " d=\"")[1].prefix { $0 != "\"" }
        let ys = path.split(separator: " ").enumerated().compactMap { $0.offset % 2 == 1 ? Double($0.element) : nil }
        XCTAssertEqual(ys.min()!, 36, accuracy: 2)
    }

    func testLineBreaksAtUndrawablePoints() {
        let chart = LineChart(title: "gaps", series: [ChartSeries(name: "a", values: [1, 2, .nan, 3, 4])])
        XCTAssertEqual(chart.standaloneSVG.components(separatedBy: "<path ").count - 1, 2)
    }

    func testRanksAreDescendingOneBasedWithStableTies() {
        XCTAssertEqual(ScatterChart.ranks(of: [0.1, 0.9, 0.5, 0.9, .nan]), [4, 1, 3, 2, 5])
        let chart = ScatterChart.rankShift(before: [3, 2, 1], after: [1, 2, 3], topK: 1)
        XCTAssertEqual(chart.series[0].points, [ChartPoint(x: 1, y: 3)])
        XCTAssertEqual(chart.series[1].points.count, 2)
        XCTAssertTrue(chart.standaloneSVG.contains("class=\"diagonal\""))
    }

    func testLargeScatterIsDrawnAsAnEvenSample() {
        let before = (0..<50_000).map { Double($0) }
        let chart = ScatterChart.rankShift(before: before, after: before.reversed(), topK: 10)
        let svg = chart.standaloneSVG
        XCTAssertEqual(svg.components(separatedBy: "<circle ").count - 1, 10 + 2000)
        XCTAssertEqual(ScatterChart.sample((0..<10).map { ChartPoint(x: Double($0), y: 0) }, limit: 4).map(\.x), [0, 2, 5, 7])
    }

    func testHeatMapShadesByValueAndLabelsStrongCellsInTheBackgroundColour() {
        let chart = HeatMap(title: "c", rowLabels: ["a", "b"], columnLabels: ["a", "b"], values: [[0, 10], [5, 10]])
        let svg = chart.standaloneSVG
        XCTAssertTrue(svg.contains("fill-opacity=\"1\""))
        XCTAssertTrue(svg.contains("fill-opacity=\"0.06\""))
        XCTAssertTrue(svg.contains("on-strong"))
        XCTAssertTrue(svg.contains("a → b: 10"))
    }
}
