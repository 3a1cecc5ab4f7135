
import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine
@testable import AssayReport
@testable import assay

/// A store holding recorded runs of a small DFR-like experiment: a `report` stage comparing
/// two methods over named groups, an evaluation's metrics with group names, a groups stage.
final class ReportStoreFixture {
    let directory: URL
    let store: Store
    let history: History
    let experimentPath: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(root: directory.appendingPathComponent("store"))
        history = try store.openHistory()
        experimentPath = directory.appendingPathComponent("exp.yaml").path
        try "# Does DFR fix the border?\nassay: 1\ndescription: ERM vs DFR\nparams:\n  seed: 0\n".write(toFile: experimentPath, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static let groups = ["label=other, border=0", "label=other, border=1", "label=top, border=0", "label=top, border=1"]

    /// A report artifact: `erm` and `dfr`, per-group accuracies shifted by `offset`.
    func reportObject(offset: Double) throws -> Digest {
        func row(_ method: String, _ values: [Double]) -> CanonicalValue {
            ["method": .string(method), "metrics": ["worst-group-accuracy": .double(values.min()! + offset)],
             "group-accuracy": .map(Dictionary(uniqueKeysWithValues: zip(Self.groups, values.map { .double($0 + offset) })))]
        }
        let document: CanonicalValue = ["format": "assay.report/1", "columns": ["worst-group-accuracy"],
                                        "rows": [row("erm", [0.9, 0.1, 0.8, 1.0]), row("dfr", [0.85, 0.8, 0.9, 0.95])]]
        return try store.putObject(document.canonicalJSON)
    }

    func metricsObject() throws -> Digest {
        let groups: [CanonicalValue] = Self.groups.enumerated().map { i, name in ["group": .int(i), "name": .string(name), "accuracy": 0.5] }
        return try store.putObject(CanonicalValue.map(["format": "assay.metrics/1", "groups": .list(groups)]).canonicalJSON)
    }

    func groupsObject() throws -> Digest {
        try store.putObject(CanonicalValue.map(["format": "assay.groups/1", "groupNames": .list(Self.groups.map { .string($0) })]).canonicalJSON)
    }

    /// Records a finished run with one point per label (`""` for no sweep).
    @discardableResult
    func record(id: String, points: [String], parameters: CanonicalValue = ["": ["parameters": ["seed": 0], "stages": [["id": "erm", "parameters": ["seed": 0]]]]], offsets: [Double]? = nil) throws -> RunDetails {
        try history.beginRun(id: id, description: RunDescription(experimentPath: experimentPath, experimentDigest: "x", parametersJSON: parameters.canonicalString), points: points)
        var stages: [StageReport] = []
        for (i, point) in points.enumerated() {
            let report = try reportObject(offset: offsets?[i] ?? 0)
            stages.append(StageReport(point: point, stage: "groups.by-border", operatorName: "group-split", key: Digest.of("g\(point)"), status: .executed, duration: 0.1,
                                      outputs: ["groups": try groupsObject()], metrics: ["test.group0.count": 285, "test.group1.count": 285, "test.group2.count": 215, "test.group3.count": 215], tables: [:]))
            stages.append(StageReport(point: point, stage: "erm-eval", operatorName: "evaluate", key: Digest.of("e\(point)"), status: .executed, duration: 1,
                                      outputs: ["metrics": try metricsObject()], metrics: ["group-accuracy.1": 0.1, "worst-group-accuracy": 0.1], tables: [:]))
            stages.append(StageReport(point: point, stage: "table", operatorName: "report", key: Digest.of("t\(id)\(point)"), status: .executed, duration: 0.1,
                                      outputs: ["report": report], metrics: ["dfr.worst-group-accuracy": 0.8 + (offsets?[i] ?? 0)], tables: [:]))
        }
        try history.finishRun(id: id, status: .succeeded, stages: stages, executedRecords: [])
        return try history.run(id)
    }
}

final class RunReportBuilderTests: XCTestCase {
    func testTheReportLeadsWithTheQuestionThenMethodsTimesGroupsByNameWithTheWorstGroupMarked() throws {
        let fixture = try ReportStoreFixture()
        let details = try fixture.record(id: "run-a", points: [""])
        let document = RunReportBuilder(store: fixture.store, details: details).document()
        let first = document.sections[0]
        XCTAssertEqual(first.title, "erm vs dfr (stage table)")
        guard case .lead(let question) = first.blocks[0], case .chart(let chart as BarChart, let caption) = first.blocks[2] else {
            return XCTFail("the first section must open with the description and the grouped chart: \(first.blocks)")
        }
        XCTAssertEqual(question, "ERM vs DFR")
        XCTAssertEqual(chart.categories, ReportStoreFixture.groups)
        XCTAssertEqual(chart.series.map(\.name), ["erm", "dfr"])
        XCTAssertEqual(chart.highlight, .lowestPerSeries)
        XCTAssertEqual(chart.highlightedBars(), [[0, 1], [1, 1]])
        XCTAssertEqual(caption, "Worst group of each method outlined: erm → label=other, border=1 (10.0%); dfr → label=other, border=1 (80.0%).")
        // Data stages: one table, group counts by name, no chart of counts.
        let data = try XCTUnwrap(document.sections.first { $0.title == "Data" })
        XCTAssertFalse(data.blocks.contains { if case .chart = $0 { return true }; return false })
        guard case .table(let table) = data.blocks[0] else { return XCTFail("no data table") }
        XCTAssertEqual(table.rows[0][4].content, .text("label=other, border=0: 285 · label=other, border=1: 285 · label=top, border=0: 215 · label=top, border=1: 215"))
        // Per-stage group bars use names, not ids.
        let html = document.html()
        XCTAssertTrue(html.contains(">label=other, border=1</text>"))
        XCTAssertFalse(html.contains("group-accuracy.1</td>"))
    }

    func testSeedsAreAggregatedIntoMeanAndStandardDeviationOverTheirValues() throws {
        let fixture = try ReportStoreFixture()
        // Offsets 0, 0.02, 0.04 over three seeds: dfr's worst group 0.80, 0.82, 0.84 → mean 0.82, sd 0.02.
        let details = try fixture.record(id: "sweep", points: ["seed=0", "seed=1", "seed=2"], parameters: [
            "seed=0": ["parameters": ["seed": 0]], "seed=1": ["parameters": ["seed": 1]], "seed=2": ["parameters": ["seed": 2]],
        ], offsets: [0, 0.02, 0.04])
        let document = RunReportBuilder(store: fixture.store, details: details).document()
        let first = document.sections[0]
        XCTAssertEqual(first.title, "erm vs dfr (stage table)", "points that differ only in seeds are one setting")
        guard case .chart(let chart as BarChart, let caption) = first.blocks[2], case .table(let table) = first.blocks[3] else {
            return XCTFail("expected the chart and the table")
        }
        XCTAssertEqual(chart.series[1].values[1], 0.82, accuracy: 1e-12)
        XCTAssertEqual(chart.series[1].errors[1], 0.02, accuracy: 1e-12)
        XCTAssertTrue(caption?.hasSuffix("Bars: mean over 3 seeds, whiskers ± 1 sd.") ?? false)
        XCTAssertEqual(table.caption, "mean ± sd over 3 seeds")
        XCTAssertEqual(table.rows[1][1].content, .text("0.8200 ± 0.0200"))
        let seeds = SeedSummary(details)
        XCTAssertEqual(seeds.seeds, ["seed"])
        let wga = try XCTUnwrap(seeds.row(setting: "", stage: "table", metric: "dfr.worst-group-accuracy"))
        XCTAssertEqual(SeedSummary.text(wga.statistics), "0.8200 ± 0.0200 (n=3)")
    }

    func testAttacksLeadWithTheRankingShiftPerMethod() throws {
        let fixture = try ReportStoreFixture()
        let document: CanonicalValue = ["format": "assay.report/1", "columns": ["kendall-tau", "accuracy-delta"], "rows": [
            ["method": "accuracy", "metrics": ["kendall-tau": .null, "accuracy-delta": .null]],
            ["method": "hidden", "metrics": ["kendall-tau": 0.76, "accuracy-delta": -0.01]],
            ["method": "decoyed", "metrics": ["kendall-tau": -0.58, "accuracy-delta": 0.004]],
        ]]
        let report = try fixture.store.putObject(document.canonicalJSON)
        try fixture.history.beginRun(id: "fv", description: RunDescription(experimentPath: fixture.experimentPath, experimentDigest: "x"), points: [""])
        try fixture.history.finishRun(id: "fv", status: .succeeded, stages: [
            StageReport(point: "", stage: "summary", operatorName: "report", key: Digest.of("s"), status: .executed, duration: 0.1,
                        outputs: ["report": report], metrics: [:], tables: [:]),
        ], executedRecords: [])
        let first = RunReportBuilder(store: fixture.store, details: try fixture.history.run("fv")).document().sections[0]
        guard case .chart(let chart as BarChart, _) = first.blocks[2] else { return XCTFail("no ranking-shift chart: \(first.blocks)") }
        XCTAssertEqual(chart.categories, ["hidden", "decoyed"], "a method without a τ has no bar")
        XCTAssertEqual(chart.series[0].values, [0.76, -0.58])
        XCTAssertEqual(chart.highlightedBars(), [[0, 1]], "the largest shift is marked")
    }

    func testRoleSeedParametersAreSeedsToo() throws {
        let fixture = try ReportStoreFixture()
        let details = try fixture.record(id: "init-sweep", points: ["init=1,lr=0.1", "init=2,lr=0.1"], parameters: [
            "init=1,lr=0.1": ["parameters": ["init": 1], "seed-parameters": ["init"]],
            "init=2,lr=0.1": ["parameters": ["init": 2], "seed-parameters": ["init"]],
        ])
        let points = SweepPoints(details)
        XCTAssertEqual(points.sweptSeeds, ["init"])
        XCTAssertEqual(points.parameterNames, ["lr"])
        XCTAssertEqual(points.settings(of: details.summary.points).map(\.setting), ["lr=0.1"])
    }
}

final class DashboardTests: XCTestCase {
    func testPagesAreReadOnlyAndPathsOutsideTheStoreAreRefused() throws {
        let fixture = try ReportStoreFixture()
        try fixture.record(id: "20260101-000000-aaaaaa", points: [""])
        try fixture.record(id: "20260101-000001-bbbbbb", points: [""], parameters: ["": ["parameters": ["seed": 1]]])
        let dashboard = Dashboard(store: fixture.store, history: fixture.history)
        for path in ["/../history.sqlite", "/%2e%2e/%2e%2e/etc/passwd", "/runs/..%2f..%2fetc", "/./x"] {
            XCTAssertEqual(dashboard.respond(method: "GET", path: path, query: [:]).status, 403, path)
        }
        XCTAssertEqual(dashboard.respond(method: "POST", path: "/", query: [:]).status, 405)
        XCTAssertEqual(dashboard.respond(method: "DELETE", path: "/runs/20260101-000000-aaaaaa", query: [:]).status, 405)
        XCTAssertEqual(dashboard.respond(method: "GET", path: "/objects", query: [:]).status, 404)
        XCTAssertEqual(dashboard.respond(method: "GET", path: "/api/progress/20260101-000000-aaaaaa", query: [:]).status, 404, "not running")

        let runs = dashboard.respond(method: "GET", path: "/", query: [:])
        XCTAssertEqual(runs.status, 200)
        let html = String(decoding: runs.body, as: UTF8.self)
        XCTAssertTrue(html.contains("data-run=\"20260101-000000-aaaaaa\"") && html.contains("data-run=\"20260101-000001-bbbbbb\""))
        XCTAssertTrue(html.contains("data-params=\"seed=1\""))
        XCTAssertTrue(html.contains("<code>seed=1</code>"), "the parameters column shows what differs")
        XCTAssertTrue(runs.contentSecurityPolicy?.contains("connect-src 'self'") ?? false)
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "no network resources")

        let compare = dashboard.respond(method: "GET", path: "/compare", query: ["runs": "20260101-000000-aaaaaa,20260101-000001-bbbbbb"])
        XCTAssertEqual(compare.status, 200)
        XCTAssertTrue(String(decoding: compare.body, as: UTF8.self).contains("<code>params.seed</code>"))
        XCTAssertEqual(dashboard.respond(method: "GET", path: "/compare", query: ["runs": "20260101-000000-aaaaaa"]).status, 400)
        XCTAssertEqual(dashboard.respond(method: "GET", path: "/runs/20260101-000000-aaaaaa", query: [:]).status, 200)
        XCTAssertEqual(dashboard.respond(method: "GET", path: "/runs/nope", query: [:]).status, 404)

        // A running run's progress file is served as is; a finished (or killed) run's leftover is not.
        let running = "20260101-000002-cccccc"
        try fixture.history.beginRun(id: running, description: RunDescription(experimentPath: fixture.experimentPath, experimentDigest: "x"), points: [""])
        let lockPath = History.runLockPath(historyPath: fixture.store.root.appendingPathComponent("history.sqlite").path, runID: running)
        try FileManager.default.createDirectory(atPath: (lockPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let lock = try FileLock(path: lockPath)
        XCTAssertTrue(lock.tryLock())
        defer { lock.unlock() }
        for id in [running, "20260101-000000-aaaaaa"] {
            let progress = LiveProgressFile.path(store: fixture.store.root, runID: id)
            try FileManager.default.createDirectory(at: progress.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("{\"done\":3}".utf8).write(to: progress)
        }
        XCTAssertEqual(dashboard.respond(method: "GET", path: "/api/progress/20260101-000000-aaaaaa", query: [:]).status, 404, "finished")
        let live = dashboard.respond(method: "GET", path: "/api/progress/\(running)", query: [:])
        XCTAssertEqual(live.status, 200)
        XCTAssertEqual(live.body, Data("{\"done\":3}".utf8))
        XCTAssertEqual(live.contentType, "application/json")
    }

    func testDiffOfTwoRunsIsOneLinePerParameterAndHidesEqualMetrics() throws {
        let fixture = try ReportStoreFixture()
        let a = try fixture.record(id: "a", points: [""])
        let b = try fixture.record(id: "b", points: [""], parameters: ["": ["parameters": ["seed": 2], "stages": [["id": "erm", "parameters": ["seed": 2]]]]])
        let comparison = RunComparison(runs: [a, b], store: fixture.store)
        XCTAssertEqual(comparison.parameters.map(\.description), ["params.seed: 0 → 2  (sets erm.seed)"])
        let diff = comparison.diff(b)
        XCTAssertTrue(diff.shownMetricChanges.isEmpty, "both runs recorded the same numbers")
        XCTAssertTrue(diff.metricChanges.contains { $0.name == "erm-eval.group-accuracy[label=other, border=1]" }, "group ids become names")
    }
}
