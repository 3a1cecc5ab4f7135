import AssaySupport
import XCTest
@testable import AssayReport

final class ComparisonTests: XCTestCase {
    func point(_ c: Double, _ layers: String, wga: Double, seed: Int = 0) -> SweepComparison.Point {
        .init(parameters: ["C": .number(c), "layers": .text(layers), "seed": .number(Double(seed))], metrics: ["wga": wga, "loss": 1 - wga])
    }

    func testSweepTableIsSortedByParametersAndMarksTheBestValue() {
        let sweep = SweepComparison(parameterNames: ["C", "layers"], metricNames: ["wga", "loss"],
                                    points: [point(1, "last", wga: 0.7), point(0.1, "last", wga: 0.8), point(0.1, "all", wga: 0.85)])
        let table = sweep.table()
        XCTAssertEqual(table.columns.map(\.title), ["C", "layers", "wga", "loss"])
        XCTAssertEqual(table.rows.map { $0[0].content }, [.number(0.1), .number(0.1), .number(1)])
        XCTAssertEqual(table.rows.map { $0[1].content }, [.code("all"), .code("last"), .code("last")])
        XCTAssertEqual(table.rows.map { $0[2].tone }, [.good, .normal, .normal])
        XCTAssertEqual(table.rows[0][3].tone, .good, "loss is lower-is-better, so 0.15 is best")
        XCTAssertFalse(table.showsProvenance)
    }

    func testSweepPlotsEachMetricOnALogAxisWhenTheParameterSpansDecades() {
        let sweep = SweepComparison(parameterNames: ["C", "layers"], metricNames: ["wga", "loss"],
                                    points: [point(0.01, "all", wga: 0.6), point(1, "all", wga: 0.7), point(1, "last", wga: 0.65)])
        let charts = sweep.charts()
        XCTAssertEqual(charts.map(\.metric), ["wga", "loss"])
        XCTAssertEqual(charts[0].x, .numeric([0.01, 1], logarithmic: true))
        XCTAssertEqual(charts[0].series.map(\.name), ["layers=all", "layers=last"])
        XCTAssertEqual(charts[0].series[0].values, [0.6, 0.7])
        XCTAssertTrue(charts[0].series[1].values[0].isNaN, "no point at C=0.01 for layers=last")
        XCTAssertEqual(charts[0].series[1].values[1], 0.65)
    }

    func testSweepAveragesPointsThatDifferOnlyInUnlistedParameters() {
        let sweep = SweepComparison(parameterNames: ["C"], metricNames: ["wga"],
                                    points: [point(0.1, "all", wga: 0.6, seed: 0), point(0.1, "all", wga: 0.8, seed: 1), point(0.2, "all", wga: 0.5)])
        let chart = sweep.charts()[0]
        XCTAssertEqual(chart.x, .numeric([0.1, 0.2], logarithmic: false))
        XCTAssertEqual(chart.series.count, 1)
        XCTAssertEqual(chart.series[0].values[0], 0.7, accuracy: 1e-12)
    }

    func testCategoricalParameterGivesACategoricalAxis() {
        let sweep = SweepComparison(parameterNames: ["layers"], metricNames: ["wga"],
                                    points: [point(1, "last", wga: 0.6), point(1, "all", wga: 0.7)])
        XCTAssertEqual(sweep.charts()[0].x, .categorical(["all", "last"]))
        assertWellFormedXML(sweep.charts()[0].standaloneSVG)
    }

    func testEmptySweepSaysSoInsteadOfDrawing() {
        let section = SweepComparison(parameterNames: ["C"], metricNames: ["wga"], points: []).section(title: "s")
        XCTAssertEqual(section.blocks.count, 1)
        guard case .note = section.blocks[0] else { return XCTFail("expected a note") }
    }

    func diff() -> RunDiff {
        let a = Digest.of("a"), b = Digest.of("b")
        return RunDiff(before: RunSummary(name: "A", metrics: [.init(name: "wga", value: 0.7, provenance: a), .init(name: "loss", value: 0.3),
                                                                .init(name: "tau", value: 0.5), .init(name: "old", value: 1)],
                                          stageKeys: ["erm": a, "dfr": a, "gone": b]),
                       after: RunSummary(name: "B", metrics: [.init(name: "wga", value: 0.725, provenance: b), .init(name: "loss", value: 0.35),
                                                               .init(name: "tau", value: 0.2), .init(name: "new", value: 2)],
                                         stageKeys: ["erm": a, "dfr": b, "select": b]),
                       formats: ["wga": .percent(1), "loss": .fixed(2)])
    }

    func testDiffTableShowsDeltasColouredByDirection() {
        let table = diff().metricTable()
        XCTAssertEqual(table.rows.map { $0[0].content }, [.text("wga"), .text("loss"), .text("tau"), .text("old"), .text("new")])
        XCTAssertEqual(table.rows[0][3], ReportCell(.text("+2.5 pp ▲"), tone: .good))
        XCTAssertEqual(table.rows[1][3], ReportCell(.text("+0.05 ▲"), tone: .bad))
        XCTAssertEqual(table.rows[2][3], ReportCell(.text("−0.3 ▼"), tone: .normal))
        XCTAssertEqual(table.rows[3][2], .text("absent", tone: .muted))
        XCTAssertEqual(table.rows[4][3], .empty)
        XCTAssertEqual(table.rows[0][1].provenance, Digest.of("a"))
        XCTAssertEqual(table.rows[0][2].provenance, Digest.of("b"))
    }

    func testDiffListsOnlyStagesWhoseKeyChanged() {
        XCTAssertEqual(diff().stageChanges.map(\.stage), ["dfr", "gone", "select"])
        XCTAssertEqual(diff().stageChanges.map(\.kind), [.changed, .removed, .added])
    }

    func testDiffDocumentRendersWithTheScoreChartOnlyForHigherIsBetterFractions() {
        let html = diff().document(title: "A vs B").html()
        assertWellFormedXML(html)
        XCTAssertTrue(html.contains("class=\"num tone-good\">+2.5 pp ▲</td>"))
        let svgs = svgElements(in: html)
        XCTAssertEqual(svgs.count, 1)
        XCTAssertTrue(svgs[0].contains("wga"))
        XCTAssertFalse(svgs[0].contains(">loss<"))
    }

    func testMetricDirectionGuesses() {
        XCTAssertEqual(MetricDirection.guess(for: "worst_group_accuracy"), .higherIsBetter)
        XCTAssertEqual(MetricDirection.guess(for: "mIoU"), .higherIsBetter)
        XCTAssertEqual(MetricDirection.guess(for: "val_loss"), .lowerIsBetter)
        XCTAssertEqual(MetricDirection.guess(for: "kendall_tau"), .neutral)
    }

    func testRunDiffHidesEqualMetricsUnlessAskedAndListsParameters() {
        let a = RunSummary(name: "A", metrics: [.init(name: "erm.accuracy", value: 0.9), .init(name: "dfr.worst-group-accuracy", value: 0.8)])
        let b = RunSummary(name: "B", metrics: [.init(name: "erm.accuracy", value: 0.9), .init(name: "dfr.worst-group-accuracy", value: 0.85)])
        let change = ParameterChange(path: "params.seed", before: "1", after: "2", alsoChanged: ["erm.seed"])
        let hidden = RunDiff(before: a, after: b, parameters: [change], showsUnchanged: false)
        XCTAssertEqual(hidden.shownMetricChanges.map(\.name), ["dfr.worst-group-accuracy"])
        XCTAssertEqual(hidden.metricTable().rows.count, 1)
        let html = hidden.document(title: "t").html()
        XCTAssertTrue(html.contains("1 metrics equal in both runs are not listed."))
        XCTAssertTrue(html.contains("<code>params.seed</code>"))
        XCTAssertEqual(RunDiff(before: a, after: b, showsUnchanged: true).metricTable().rows.count, 2)
    }

    func testSweepTableAggregatesSeedsIntoMeanAndStandardDeviation() {
        // keep=0.1 over three seeds: 0.80, 0.84, 0.88 → mean 0.84, sd √((0.0016+0+0.0016)/2) = 0.04.
        let points = [0.80, 0.84, 0.88].map { SweepComparison.Point(parameters: ["keep": .number(0.1)], metrics: ["wga": $0]) }
            + [SweepComparison.Point(parameters: ["keep": .number(0.2)], metrics: ["wga": 0.7])]
        let table = SweepComparison(parameterNames: ["keep"], metricNames: ["wga"], points: points, formats: ["wga": .fixed(3)]).table()
        XCTAssertEqual(table.rows.count, 2)
        XCTAssertEqual(table.rows[0][1].content, .text("0.840 ± 0.040 (n=3)"))
        XCTAssertEqual(table.rows[0][1].tone, .good)
        XCTAssertEqual(table.rows[1][1].content, .number(0.7))
    }
}
