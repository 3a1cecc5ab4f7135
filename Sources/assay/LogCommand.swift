import ArgumentParser
import AssayEngine
import Foundation

/// `assay log`: recent runs, newest first.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "List recent runs recorded in the store's history.")

    @OptionGroup var store: StoreOptions

    @Option(help: "How many runs.")
    var limit: Int = 20

    func run() throws {
        let handle = try store.open()
        let runs = try Console.failing("cannot read the history") { try handle.openHistoryReporting().recentRuns(limit: limit) }
        if runs.isEmpty { print("no runs recorded in \(handle.root.path)"); return }
        for r in runs { print(LogCommand.line(r)) }
    }

    static func line(_ r: RunSummary) -> String {
        let date = Date(timeIntervalSince1970: r.started)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let took = r.finished.map { " in " + Format.duration($0 - r.started) } ?? ""
        let git = r.gitCommit.map { " git \($0.prefix(8))" } ?? ""
        let points = r.points.count > 1 ? " \(r.points.count) points," : ""
        return "\(r.id)  \(formatter.string(from: date))  \(r.status)\(took),\(points) \(r.executed) executed, \(r.hits) cached, \(r.failed) failed  \(r.experimentPath)\(git)"
    }
}

/// `assay show RUN|STAGE`: a run's stages and metrics, or a stage's latest record.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a run (by id or prefix, or `last`) or a stage's latest result.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "A run id (or unique prefix, or `last`), or a stage name.")
    var what: String

    func run() throws {
        let handle = try store.open()
        let history = try Console.failing("cannot read the history") { try handle.openHistoryReporting() }
        if let details = try? history.run(what) {
            print(LogCommand.line(details.summary))
            var table = TextTable(["stage", "status", "key", "duration", "metrics"])
            for s in details.stages {
                let metrics = s.metrics.keys.sorted().filter { !$0.contains("/") }.prefix(4).map { "\($0)=\(Format.metric(s.metrics[$0]!))" }.joined(separator: " ")
                table.add([s.point.isEmpty ? s.stage : "\(s.stage) [\(s.point)]", s.status, s.key?.short ?? "-", s.duration > 0 ? Format.duration(s.duration) : "", metrics])
            }
            print(table.render())
            let seeds = SeedSummary(details)
            if !seeds.rows.isEmpty {
                print("\nover \(seeds.seeds.joined(separator: ", ")) (mean ± sd, n):")
                var aggregated = TextTable(["setting", "stage", "metric", "mean ± sd (n)"])
                for r in seeds.rows { aggregated.add([r.setting.isEmpty ? "-" : r.setting, r.stage, r.metric, SeedSummary.text(r.statistics)]) }
                print(aggregated.render())
            }
            return
        }
        guard let record = try Console.failing("cannot read the history", { try history.latestRecord(stage: what) }) else {
            Console.error("error: `\(what)` is neither a run id nor a stage recorded in \(handle.root.path)\n  = help: `assay log` lists runs")
            throw ExitCode(1)
        }
        print("stage \(record.stage) (\(record.operatorName)), run \(record.runID): \(record.status)" + (record.message.map { " — \($0)" } ?? ""))
        if let key = record.key { print("key: \(key.hex)") }
        if record.duration > 0 { print("took: \(Format.duration(record.duration))") }
        for name in record.outputs.keys.sorted() {
            print("output \(name): \(handle.objectPath(record.outputs[name]!))")
        }
        for name in record.metrics.keys.sorted() { print("\(name) = \(Format.metric(record.metrics[name]!))") }
    }
}
