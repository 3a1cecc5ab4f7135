import ArgumentParser
import AssayLanguage
import AssaySupport
import Foundation

/// `assay check FILE [--summary] [--format text|json] [-p name=value]...`
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an experiment file without running anything.",
        discussion: "Exits 0 when the file is valid, 1 when it has errors, 2 on a usage error.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The experiment file.")
    var file: String

    @Flag(help: "Print each model's layer table (output shape, parameters) and totals.")
    var summary = false

    @Option(help: "Diagnostics as human-readable text or JSON for editors.")
    var format: Format = .text

    @Flag(help: "Print each checked experiment (one per sweep point) in canonical form: the stages, their parameters and inputs.")
    var emit = false

    @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("Override a parameter: -p name=value (a list value sweeps).", valueName: "name=value"))
    var parameters: [String] = []

    func validate() throws {
        for p in parameters where !p.contains("=") {
            throw ValidationError("`-p \(p)`: write -p name=value")
        }
    }

    func run() throws {
        let overrides = parameters.map { p -> (String, String) in
            let i = p.firstIndex(of: "=")!
            return (String(p[..<i]), String(p[p.index(after: i)...]))
        }
        let result = Checker.check(path: file, overrides: overrides)
        let renderer = DiagnosticRenderer(sources: result.sources)
        if format == .json {
            print(renderer.renderJSON(result.diagnostics))
        } else if !result.diagnostics.isEmpty {
            let errors = result.diagnostics.filter { $0.severity == .error }.count
            let warnings = result.diagnostics.filter { $0.severity == .warning }.count
            var counts: [String] = []
            if errors > 0 { counts.append("\(errors) error\(errors == 1 ? "" : "s")") }
            if warnings > 0 { counts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
            let text = renderer.renderText(result.diagnostics) + "\n" + counts.joined(separator: ", ") + " in \(file)\n"
            FileHandle.standardError.write(Data(text.utf8))
        }
        if result.hasErrors { throw ExitCode(1) }
        if emit {
            for experiment in result.experiments { print(experiment.canonical.prettyString) }
            return
        }
        if format == .text {
            let stages = result.experiments.first?.stages.count ?? 0
            let points = result.experiments.count
            print("\(file): ok (\(stages) stages" + (points > 1 ? ", \(points) sweep points" : "") + ")")
            if summary {
                // Each distinct model once; a sweep that changes a model (e.g. its width) shows each variant.
                var shown = Set<ModelSpec>()
                for experiment in result.experiments {
                    for name in experiment.models.keys.sorted() where shown.insert(experiment.models[name]!).inserted {
                        print("")
                        if !experiment.sweepPoint.isEmpty {
                            print("sweep point " + experiment.sweepPoint.keys.sorted().map { "\($0)=\(experiment.sweepPoint[$0]!.canonicalString)" }.joined(separator: " "))
                        }
                        print(ModelSummary.table(experiment.models[name]!), terminator: "")
                    }
                }
            }
        }
    }
}
