import ArgumentParser
import AssayEngine
import AssayLanguage
import AssayReport
import AssaySupport
import Foundation

/// `assay diff A B`: A and B are experiment files or run ids. For files: the semantic diff of
/// the resolved experiments by data path and which stages change key. For runs: parameters,
/// stages whose key changed, and metrics side by side with deltas.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Compare two experiments (files) or two runs (ids): parameters, stage keys and metrics.")

    @Argument(help: "An experiment file or a run id.")
    var a: String

    @Argument(help: "An experiment file or a run id.")
    var b: String

    @Option(help: ArgumentHelp("The store folder (for run ids).", valueName: "dir"))
    var store: String?

    @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("Override a parameter of both files.", valueName: "name=value"))
    var parameters: [String] = []

    @Option(help: ArgumentHelp("Also write the comparison of two runs as a self-contained HTML file.", valueName: "file.html"))
    var report: String?

    @Flag(help: "Also list the metrics that are equal in both runs.")
    var all = false

    func run() throws {
        let isFile = { (s: String) in FileManager.default.fileExists(atPath: s) && (s.hasSuffix(".yaml") || s.hasSuffix(".yml")) }
        if isFile(a) && isFile(b) { try diffFiles() } else { try diffRuns() }
    }

    func diffFiles() throws {
        func load(_ file: String) throws -> ExperimentSession {
            var o = ExperimentOptions()
            o.file = file
            o.store = store
            o.parameters = parameters
            return try o.load()
        }
        let left = try load(a), right = try load(b)
        let l = left.checked.first!, r = right.checked.first!
        // Stages keyed by name, so a change reads `stages.selected.keep`, not a list index.
        func resolved(_ e: AssayLanguage.CheckedExperiment) -> CanonicalValue {
            .map(["params": .map(e.parameters), "stages": .map(Dictionary(uniqueKeysWithValues: e.stages.map { s in
                (s.id, CanonicalValue.map(["operator": .string(s.operatorName), "version": .int(s.operatorVersion), "inputs": .map(s.inputs.mapValues { .string($0.description) })])
                    .merging(s.parameters))
            }))])
        }
        let changes = JSONDiff.changes(from: resolved(l.experiment).canonicalJSON, to: resolved(r.experiment).canonicalJSON)
        print("--- \(a)\n+++ \(b)")
        if changes.isEmpty { print("the resolved experiments are identical") }
        for c in changes { print("  \(c)") }
        let statusA = try Console.failing("cannot read the store") { try left.engine().status(points: [(l.label, l.plan)]) }
        let statusB = try Console.failing("cannot read the store") { try right.engine().status(points: [(r.label, r.plan)]) }
        var table = TextTable(["stage", "key A", "key B", ""])
        let ids = Set(statusA.stages.map(\.stage)).union(statusB.stages.map(\.stage))
        for id in r.plan.nodes.map(\.id) + l.plan.nodes.map(\.id).filter({ r.plan[$0] == nil }) where ids.contains(id) {
            let ka = statusA.report(stage: id, point: l.label)?.key, kb = statusB.report(stage: id, point: r.label)?.key
            let verdict = ka == nil ? (l.plan[id] == nil ? "added" : "changes") : kb == nil ? (r.plan[id] == nil ? "removed" : "changes") : ka == kb ? "same" : "changes"
            table.add([id, ka?.short ?? "-", kb?.short ?? "-", verdict])
        }
        print("")
        print(table.render())
    }

    func diffRuns() throws {
        var options = StoreOptions()
        if let store { options.store = store }
        let handle = try options.open()
        let history = try Console.failing("cannot read the history") { try handle.openHistoryReporting() }
        let d = try Console.failing("cannot compare runs `\(a)` and `\(b)` (give two run ids, or two experiment files)") { try history.diff(a, b) }
        let runA = try Console.failing("cannot read run `\(a)`") { try history.run(a) }
        let runB = try Console.failing("cannot read run `\(b)`") { try history.run(b) }
        let comparison = RunComparison(runs: [runA, runB], store: handle, showsUnchanged: all)
        if let report {
            let html = comparison.document().html()
            try Console.failing("cannot write \(report)") { try Data(html.utf8).write(to: URL(fileURLWithPath: report), options: .atomic) }
            print("wrote \(report)")
        }
        print("run \(d.runA) → run \(d.runB)")
        if comparison.parameters.isEmpty {
            print("the resolved experiments are identical")
        } else {
            print("parameters:")
            for c in comparison.parameters { print("  \(c)") }
        }
        let changed = d.stages.filter(\.keyChanged)
        // A sweep changes a stage at many points: name it once, with how many.
        let changedNames = changed.map(\.stage).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        print(changed.isEmpty ? "every stage has the same key" : "stages whose key changed: " + changedNames.map { name in
            let n = changed.filter { $0.stage == name }.count
            return n > 1 ? "\(name) (\(n) points)" : name
        }.joined(separator: ", "))
        if !SweepPoints(runA).sweptSeeds.isEmpty || !SweepPoints(runB).sweptSeeds.isEmpty {
            print(Self.seedTable(SeedSummary(runA, always: true), SeedSummary(runB, always: true), all: all))
            return
        }
        // The same rows as the HTML comparison: `stage.metric`, group ids as group names.
        let diff = comparison.diff(runB)
        let shown = diff.shownMetricChanges
        if !shown.isEmpty {
            var table = TextTable(["metric", "A", "B", "delta"])
            for m in shown {
                table.add([m.name, m.before.map { Format.metric($0.value) } ?? "-", m.after.map { Format.metric($0.value) } ?? "-",
                           m.delta.map { ($0 >= 0 ? "+" : "") + Format.metric($0) } ?? ""])
            }
            print("")
            print(table.render())
        }
        let hidden = diff.metricChanges.count - shown.count
        if hidden > 0 { print("\(hidden) metrics are equal in both runs (--all lists them)") }
    }

    /// Metrics over seeds of two sweeps, matched by setting, stage and metric: mean ± sd (n) and the change of the mean.
    static func seedTable(_ a: SeedSummary, _ b: SeedSummary, all: Bool) -> String {
        var keys: [(String, String, String)] = []
        for r in a.rows + b.rows where !keys.contains(where: { $0 == (r.setting, r.stage, r.metric) }) { keys.append((r.setting, r.stage, r.metric)) }
        var table = TextTable(["setting", "stage", "metric", "A mean ± sd (n)", "B mean ± sd (n)", "delta of means"])
        var hidden = 0
        for (setting, stage, metric) in keys {
            let x = a.row(setting: setting, stage: stage, metric: metric)?.statistics, y = b.row(setting: setting, stage: stage, metric: metric)?.statistics
            if !all, x == y { hidden += 1; continue }
            let delta = (x?.mean).flatMap { m in (y?.mean).map { $0 - m } }
            table.add([setting.isEmpty ? "-" : setting, stage, metric, x.map(SeedSummary.text) ?? "-", y.map(SeedSummary.text) ?? "-",
                       delta.map { ($0 >= 0 ? "+" : "") + Format.metric($0) } ?? ""])
        }
        let seeds = Set(a.seeds + b.seeds).sorted().joined(separator: ", ")
        var text = "\nmetrics over \(seeds) (mean ± sd, n):\n" + table.render()
        if hidden > 0 { text += "\n\(hidden) metrics are equal in both runs (--all lists them)" }
        return text
    }
}

extension CanonicalValue {
    /// This map with the entries of `other` (a map) added.
    func merging(_ other: CanonicalValue) -> CanonicalValue {
        guard case .map(var a) = self, case .map(let b) = other else { return self }
        for (k, v) in b { a[k] = v }
        return .map(a)
    }
}
