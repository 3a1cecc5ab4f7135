import ArgumentParser
import AssayEngine
import Foundation

/// `assay explain FILE STAGE`: why a stage will rerun — which parameter data paths or inputs
/// changed since its last run, a version bump, a missing or corrupt cached result.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Say why a stage will (or will not) run.")

    @OptionGroup var experiment: ExperimentOptions

    @Argument(help: "The stage (as named in the experiment, or `datasets.NAME`).")
    var stage: String

    @Option(help: ArgumentHelp("The sweep point, as `assay plan` labels it (default: every point).", valueName: "label"))
    var point: String?

    func run() throws {
        let session = try experiment.load()
        let engine = session.engine()
        let labels = point.map { [$0] } ?? session.points.map(\.label)
        guard session.points.contains(where: { $0.plan[stage] != nil }) else {
            let names = session.points.first?.plan.nodes.map(\.id) ?? []
            Console.error("error: no stage `\(stage)` in \(experiment.file)\n  = help: stages are: \(names.joined(separator: ", "))")
            throw ExitCode(1)
        }
        for label in labels {
            var seen: Set<String> = []
            try explain(stage, label: label, engine: engine, session: session, depth: 0, seen: &seen)
        }
    }

    /// Prints why `stage` will run; when the cause is an upstream stage that must run first,
    /// explains that stage too, down to the edit that started it.
    func explain(_ stage: String, label: String, engine: Engine, session: ExperimentSession, depth: Int, seen: inout Set<String>) throws {
        guard seen.insert(stage).inserted else { return }
        let indent = String(repeating: "    ", count: depth)
        let e = try Console.failing("cannot explain `\(stage)`") { try engine.explain(stage: stage, point: label, in: session.enginePoints) }
        let name = label.isEmpty ? stage : "\(stage) [\(label)]"
        if !e.willRun {
            print("\(indent)\(name): cached (key \(e.key?.short ?? "?")), will not run")
            return
        }
        print("\(indent)\(name): will run" + (e.key.map { " (key \($0.short))" } ?? ""))
        for reason in e.reasons {
            switch reason {
            case .parametersChanged(let changes):
                print("\(indent)  parameters changed:")
                for c in changes { print("\(indent)    \(c)") }
            case .inputChanged(_, _, nil, let upstream):
                print("\(indent)  \(reason), because:")
                try explain(upstream, label: label, engine: engine, session: session, depth: depth + 1, seen: &seen)
            default:
                print("\(indent)  \(reason)")
            }
        }
    }
}
