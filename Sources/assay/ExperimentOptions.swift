import ArgumentParser
import AssayEngine
import AssayLanguage
import AssayPlanner
import AssayStages
import AssaySupport
import Foundation

/// The options every command that reads an experiment shares: the file, `-p` overrides
/// and the store location.
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The experiment file.")
    var file: String

    @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("Override a parameter: -p name=value (a list value sweeps).", valueName: "name=value"))
    var parameters: [String] = []

    @Option(help: ArgumentHelp("The store folder (default: .assay/ beside the experiment, or the experiment's `executor.store`).", valueName: "dir"))
    var store: String?

    func validate() throws {
        for p in parameters where !p.contains("=") {
            throw ValidationError("`-p \(p)`: write -p name=value")
        }
    }

    var overrides: [(String, String)] {
        parameters.map { p in
            let i = p.firstIndex(of: "=")!
            return (String(p[..<i]), String(p[p.index(after: i)...]))
        }
    }

    /// Checks the file (printing diagnostics and exiting 1 on errors) and lowers every sweep point.
    /// - Parameter rehashingSources: hash every file read from outside the store again instead
    ///   of trusting the digests remembered by size and modification time (`run --verify`).
    func load(rehashingSources: Bool = false) throws -> ExperimentSession {
        let result = Checker.check(path: file, overrides: overrides)
        if !result.diagnostics.isEmpty {
            let renderer = DiagnosticRenderer(sources: result.sources)
            Console.error(renderer.renderText(result.diagnostics))
        }
        if result.hasErrors {
            let errors = result.diagnostics.filter { $0.severity == .error }.count
            Console.error("\(errors) error\(errors == 1 ? "" : "s") in \(file): nothing was run")
            throw ExitCode(1)
        }
        let experimentURL = URL(fileURLWithPath: file)
        let configured = result.experiments.first?.executor["store"]?.stringValue
        let root: URL
        if let store {
            root = URL(fileURLWithPath: store)
        } else if let configured {
            root = configured.hasPrefix("/") ? URL(fileURLWithPath: configured) : experimentURL.deletingLastPathComponent().appendingPathComponent(configured)
        } else {
            root = Store.defaultRoot(forExperimentAt: experimentURL)
        }
        let storeHandle = try Console.failing("cannot open the store at \(root.path)") { try Store(root: root) }
        let planner = Planner(sources: SourceDigests(cacheFile: rehashingSources ? nil : root.appendingPathComponent("sources.json")))
        let points = try Console.failing("cannot plan \(file)") { try planner.lower(points: result.experiments) }
        let bytes = (try? Data(contentsOf: experimentURL)) ?? Data()
        return ExperimentSession(file: file, points: points, store: storeHandle, fileDigest: Digest.of(bytes))
    }
}

/// A checked, lowered experiment bound to its store.
struct ExperimentSession {
    var file: String
    var points: [PlannedPoint]
    var store: Store
    var fileDigest: Digest

    var enginePoints: [(point: String, plan: Plan)] { points.map { ($0.label, $0.plan) } }

    func engine() -> Engine { Engine(store: store, operators: OperatorCatalog.standard) }

    var runDescription: RunDescription {
        let parameters: CanonicalValue = .map(Dictionary(uniqueKeysWithValues: points.map { ($0.label, $0.experiment.canonical) }))
        return RunDescription(
            experimentPath: URL(fileURLWithPath: file).standardizedFileURL.path, experimentDigest: fileDigest.hex,
            parametersJSON: parameters.canonicalString)
    }
}

/// Options naming a store without an experiment (log, show, gc, import...).
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The store folder.", valueName: "dir"))
    var store: String = ".assay"

    func open() throws -> Store {
        let url = URL(fileURLWithPath: store)
        guard FileManager.default.fileExists(atPath: url.path) else {
            Console.error("error: no store at \(url.path)\n  = help: run an experiment first, or pass --store DIR (the store is `.assay/` beside the experiment by default)")
            throw ExitCode(1)
        }
        return try Console.failing("cannot open the store at \(url.path)") { try Store(root: url) }
    }
}
