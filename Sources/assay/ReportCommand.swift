import ArgumentParser
import AssayEngine
import AssayReport
import Foundation

/// `assay report RUN [--output FILE]`: one self-contained HTML file explaining a run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a self-contained HTML report of a run (plots, tables, pictures, plan, experiment).",
        discussion: "Open the file in any browser; it needs no network and embeds every picture and plot.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "A run id (or unique prefix, or `last`).")
    var runID: String = "last"

    @Option(name: .shortAndLong, help: "The HTML file to write (default: report-RUN.html).")
    var output: String?

    func run() throws {
        let handle = try store.open()
        let details = try Console.failing("cannot read run `\(runID)`") { try handle.openHistoryReporting().run(runID) }
        let html = RunReportBuilder(store: handle, details: details).document().html()
        let path = output ?? "report-\(details.summary.id.prefix(12)).html"
        try Console.failing("cannot write \(path)") { try Data(html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) }
        print("wrote \(path) (\(StoreStatistics.bytes(Int64(html.utf8.count))))")
    }
}

extension AssayReport.RunSummary {
    /// The metrics and stage keys of a recorded run, with its metrics artifacts as provenance.
    init(_ details: RunDetails) {
        self.init(details, metricsOutput: { $0.outputs["metrics"] })
    }

    /// The metrics and stage keys of a recorded run, for `assay diff --report`.
    init(_ details: RunDetails, metricsOutput: (StageRecord) -> AssaySupport.Digest?) {
        var metrics: [Metric] = []
        var keys: [String: AssaySupport.Digest] = [:]
        for s in details.stages {
            let label = s.point.isEmpty ? s.stage : "\(s.stage) [\(s.point)]"
            if let key = s.key { keys[label] = key }
            for name in s.metrics.keys.sorted() where !name.contains("/") {
                metrics.append(Metric(name: "\(label).\(name)", value: s.metrics[name]!, provenance: metricsOutput(s)))
            }
        }
        self.init(name: "run \(details.summary.id.prefix(12))", metrics: metrics, stageKeys: keys)
    }
}

import AssaySupport
