import AssayEngine
import AssayLanguage
import AssayReport
import AssaySupport
import Foundation

/// The read-only pages of `assay serve`, as a function from a request to a response so tests
/// need no socket: `/` the runs, `/runs/ID` a run's report, `/compare?runs=A,B,…` runs side by
/// side, `/api/progress/ID` a running run's live progress (JSON). Only GET and HEAD are
/// answered; a path that climbs out (`..`, encoded or not) is refused, and nothing but the
/// history and the run's own progress file is ever read.
struct Dashboard {
    struct Response: Equatable {
        var status: Int
        var contentType: String
        var body: Data
        var contentSecurityPolicy: String?

        static func text(_ status: Int, _ message: String) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", body: Data((message + "\n").utf8))
        }
    }

    let store: Store
    let history: History

    func respond(method: String, path rawPath: String, query: [String: String]) -> Response {
        guard method == "GET" || method == "HEAD" else {
            return .text(405, "assay serve is read-only: \(method) is not allowed")
        }
        let path = rawPath.removingPercentEncoding ?? rawPath
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if segments.contains(where: { $0 == ".." || $0 == "." }) || path.contains("\\") || path.contains("\0") {
            return .text(403, "refused: \(path) is outside the store")
        }
        switch segments.first {
        case nil:
            return page(runsPage())
        case "runs" where segments.count == 2:
            guard let details = try? history.run(segments[1]) else { return .text(404, "no run `\(segments[1])` in this store") }
            return page(runPage(details))
        case "compare" where segments.count == 1:
            let ids = (query["runs"] ?? "").split(separator: ",").map(String.init)
            let runs = ids.compactMap { try? history.run($0) }
            guard runs.count >= 2, runs.count == ids.count else {
                return .text(400, "compare needs two or more run ids of this store: /compare?runs=A,B")
            }
            return page(comparePage(runs))
        case "api" where segments.count == 3 && segments[1] == "progress":
            // A killed run leaves its file behind; only a run still holding its lock is live.
            guard let run = try? history.run(segments[2]), run.summary.status == "running",
                  let data = FileManager.default.contents(atPath: LiveProgressFile.path(store: store.root, runID: run.summary.id).path) else {
                return .text(404, "run `\(segments[2])` is not running")
            }
            return Response(status: 200, contentType: "application/json", body: data)
        default:
            return .text(404, "no page \(path): the dashboard has /, /runs/ID and /compare?runs=A,B")
        }
    }

    private func page(_ document: ReportDocument) -> Response {
        var document = document
        document.navigation = "<a href=\"/\">Runs</a><span class=\"tone-muted\">store \(Markup.escape(store.root.path))</span>"
        document.script = DashboardScript.source
        document.pollsServer = true
        return Response(status: 200, contentType: "text/html; charset=utf-8", body: Data(document.html().utf8),
                        contentSecurityPolicy: HTMLReportRenderer.contentSecurityPolicy(for: document))
    }

    // MARK: Pages

    func runsPage() -> ReportDocument {
        let runs = (try? history.recentRuns(limit: 1000)) ?? []
        let rows = runs.compactMap { summary in (try? history.run(summary.id)).map(DashboardRunRow.init(details:)) }
        var metricNames: [String] = []
        for row in rows { for name in row.metrics.keys.sorted() where !metricNames.contains(name) { metricNames.append(name) } }
        metricNames = Array(metricNames.prefix(10))
        let experiments = Array(Set(rows.map(\.experiment))).sorted()
        // The parameters column shows what differs between the listed runs; the title has them all.
        var seen: [String: Set<String>] = [:]
        for row in rows { for (k, v) in row.parameterValues { seen[k, default: []].insert(v) } }
        let varying = Set(seen.filter { name, values in values.count > 1 || rows.contains { $0.parameterValues[name] == nil } }.keys)
        let statuses = Array(Set(rows.map(\.status))).sorted()
        func options(_ values: [String]) -> String {
            "<option value=\"\">all</option>" + values.map { "<option value=\"\(Markup.escape($0))\">\(Markup.escape($0))</option>" }.joined()
        }
        var html = "<div class=\"filters\">"
        html += "<label>experiment<select id=\"filter-experiment\">\(options(experiments))</select></label>"
        html += "<label>status<select id=\"filter-status\">\(options(statuses))</select></label>"
        html += "<label>parameters<input id=\"filter-params\" type=\"search\" placeholder=\"seed=2 epochs=3\"/></label>"
        html += "<button id=\"compare\" type=\"button\">Compare selected</button><span id=\"compare-note\" class=\"tone-muted\"></span>"
        html += "<span id=\"shown-count\" class=\"tone-muted\"></span></div>\n"
        html += "<div class=\"table-wrap\"><table class=\"runs\">\n<thead><tr><th></th><th class=\"sortable\">run</th><th>experiment</th><th>status</th>"
        html += "<th>parameters</th><th class=\"sortable num\">stages</th>"
        for name in metricNames { html += "<th class=\"sortable num\" title=\"\(Markup.escape(name))\">\(Markup.escape(name).replacingOccurrences(of: ".", with: ".<wbr/>"))</th>" }
        html += "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr data-run=\"\(Markup.escape(row.id))\" data-experiment=\"\(Markup.escape(row.experiment))\" data-status=\"\(Markup.escape(row.status))\" data-params=\"\(Markup.escape(row.parameters))\">"
            html += "<td><input class=\"pick\" type=\"checkbox\" value=\"\(Markup.escape(row.id))\" aria-label=\"select \(Markup.escape(row.id))\"/></td>"
            html += "<td class=\"nowrap\" data-value=\"\(row.started)\"><a href=\"/runs/\(Markup.escape(row.id))\"><code>\(Markup.escape(row.id))</code></a></td>"
            html += "<td>\(Markup.escape(row.experiment))</td><td><span class=\"status status-\(row.statusClass)\">\(Markup.escape(row.status))</span>"
            if row.status == "running" {
                html += "<div class=\"live\" data-run=\"\(Markup.escape(row.id))\"><progress max=\"1\" value=\"0\"></progress> <span class=\"live-text\">waiting for progress…</span></div>"
            }
            let shown = row.parameterValues.keys.sorted().filter { varying.contains($0) }.map { "\($0)=\(row.parameterValues[$0]!)" }.joined(separator: " ")
            html += "</td><td title=\"\(Markup.escape(row.parameters))\"><code>\(Markup.escape(shown.isEmpty ? "(same as the others)" : shown))</code></td>"
            html += "<td class=\"num\" data-value=\"\(row.stageCount)\">\(row.stageCount)</td>"
            for name in metricNames {
                if let v = row.metrics[name] {
                    html += "<td class=\"num nowrap\" data-value=\(v.isFinite ? "\"\(v)\"" : "\"\"")>\(Markup.escape(row.metricText[name] ?? NumberFormat.fixed(4).format(v)))</td>"
                } else {
                    html += "<td class=\"num\" data-value=\"\"></td>"
                }
            }
            html += "</tr>\n"
        }
        html += "</tbody></table></div>\n"
        var section = ReportSection(title: "Runs")
        section.add(.html(html))
        if rows.isEmpty { section.add(.note("This store has no runs yet: `assay run EXPERIMENT --store \(store.root.path)` records one.", tone: .muted)) }
        section.add(.paragraph("Metric columns: the metrics of each run's report stages (mean over seeds for sweeps); click a heading to sort."))
        return ReportDocument(title: "Assay runs", subtitle: "\(rows.count) runs · read-only", sections: [section])
    }

    func runPage(_ details: RunDetails) -> ReportDocument {
        var document = RunReportBuilder(store: store, details: details).document()
        if details.summary.status == "running" {
            var live = ReportSection(title: "Progress")
            live.add(.html("<div class=\"live\" data-run=\"\(Markup.escape(details.summary.id))\"><progress max=\"1\" value=\"0\"></progress> <span class=\"live-text\">waiting for progress…</span></div>"))
            live.add(.note("This run is still going: its results appear here when it finishes.", tone: .muted))
            document.sections.insert(live, at: 0)
        }
        return document
    }

    func comparePage(_ runs: [RunDetails]) -> ReportDocument {
        RunComparison(runs: runs, store: store, showsUnchanged: false).document()
    }
}

/// One run in the runs table: identity, parameters as `name=value` words (what the filter
/// matches), and the metrics of its report stages (averaged over sweep points).
struct DashboardRunRow {
    let id: String
    let experiment: String
    let status: String
    let started: Double
    let parameters: String
    let parameterValues: [String: String]
    let stageCount: Int
    let metrics: [String: Double]
    let metricText: [String: String]

    init(details: RunDetails) {
        let summary = details.summary
        id = summary.id
        experiment = URL(fileURLWithPath: summary.experimentPath).deletingPathExtension().lastPathComponent
        status = summary.status
        started = summary.started
        stageCount = details.stages.count
        // Parameter values of the first point, with the swept ones as lists.
        let document = (try? CanonicalValue(json: details.parametersJSON)) ?? .map([:])
        let first = CanonicalValue.sortedKeys(document.mapValue ?? [:]).first.flatMap { document[$0] }
        var words: [String: String] = [:]
        for (name, value) in first?["parameters"]?.mapValue ?? [:] { words[name] = value.canonicalString }
        let points = SweepPoints(details)
        for name in Set(points.values.values.flatMap { $0.map(\.name) }) {
            let values = summary.points.compactMap { p in points.values[p]?.first { $0.name == name }?.value }
            words[name] = "[" + values.joined(separator: ",") + "]"
        }
        parameters = words.keys.sorted().map { "\($0)=\(words[$0]!)" }.joined(separator: " ")
        parameterValues = words
        var collected: [String: [Double]] = [:]
        for s in details.stages where s.operatorName == StageKind.report.name {
            for (name, value) in s.metrics { collected[name, default: []].append(value) }
        }
        var metrics: [String: Double] = [:]
        var text: [String: String] = [:]
        for (name, values) in collected {
            if let stats = SeedStatistics(values) {
                metrics[name] = stats.mean
                text[name] = stats.text(.fixed(4), showsCount: false)
            }
        }
        self.metrics = metrics
        metricText = text
    }

    var statusClass: String {
        switch status {
        case "succeeded": return "cached"
        case "running": return "ran"
        case "failed", "interrupted", "cancelled": return "failed"
        default: return "skipped"
        }
    }
}
