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
    /// - Parameter reusingPlans: take the plan from the store's ``PlanCache`` when nothing the
    ///   check read has changed (`run`, `plan`, `status`); the session then has no checked experiments.
    func load(rehashingSources: Bool = false, reusingPlans: Bool = false) throws -> ExperimentSession {
        let experimentURL = URL(fileURLWithPath: file)
        // The cache lives in the store, so it is looked up only where the store is known before
        // checking: `--store`, or the default `.assay/` beside the experiment.
        let knownRoot = store.map { URL(fileURLWithPath: $0) } ?? Store.defaultRoot(forExperimentAt: experimentURL)
        let request = PlanCache.Request(file: file, overrides: overrides, tool: ExecutionEnvironment.assayVersion)
        func sourceDigests(_ root: URL) -> SourceDigests {
            SourceDigests(cacheFile: rehashingSources ? nil : root.appendingPathComponent("sources.json"))
        }
        if reusingPlans, !rehashingSources, FileManager.default.fileExists(atPath: knownRoot.appendingPathComponent("plans").path),
           let storeHandle = try? Store(root: knownRoot),
           case .success(let cached) = PlanCache(store: storeHandle, request: request).lookup(sources: sourceDigests(knownRoot)) {
            return ExperimentSession(file: file, plan: cached, store: storeHandle)
        }
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
        let configured = result.experiments.first?.executor["store"]?.stringValue
        let root: URL
        if let store {
            root = URL(fileURLWithPath: store)
        } else if let configured {
            root = configured.hasPrefix("/") ? URL(fileURLWithPath: configured) : experimentURL.deletingLastPathComponent().appendingPathComponent(configured)
        } else {
            root = knownRoot
        }
        let storeHandle = try Console.failing("cannot open the store at \(root.path)") { try Store(root: root) }
        let sources = sourceDigests(root)
        let planner = Planner(sources: sources)
        let points = try Console.failing("cannot plan \(file)") { try planner.lower(points: result.experiments) }
        // The loader hashed the bytes it checked; the file is read again only if it was not recorded.
        let digest = result.inputs.items.lazy.compactMap { input -> Digest? in
            if case .text(let path, _, let digest) = input, path == file { return digest }
            return nil
        }.first ?? Digest.of((try? Data(contentsOf: experimentURL)) ?? Data())
        let plan = CachedPlan(planned: points, experimentDigest: digest)
        // Filed only where the next command will look: not in a store the experiment names itself.
        if root == knownRoot { PlanCache(store: storeHandle, request: request).save(plan, check: result, sources: sources) }
        var session = ExperimentSession(file: file, plan: plan, store: storeHandle)
        session.checked = points
        return session
    }
}

/// A checked, lowered experiment bound to its store.
struct ExperimentSession {
    var file: String
    var points: [CachedPlan.Point]
    var store: Store
    /// The experiment's name, executor settings and run description.
    var name: String
    var executor: CanonicalValue
    var runDescription: RunDescription
    /// The checked experiments of each point, when this command checked the file (not when the
    /// plan came from the ``PlanCache``).
    var checked: [PlannedPoint] = []

    init(file: String, plan: CachedPlan, store: Store) {
        self.file = file
        self.points = plan.points
        self.store = store
        self.name = plan.name
        self.executor = plan.executor
        self.runDescription = RunDescription(
            experimentPath: URL(fileURLWithPath: file).standardizedFileURL.path, experimentDigest: plan.experimentDigest.hex,
            parametersJSON: plan.parametersJSON, parametersDigest: plan.parametersDigest)
    }

    var enginePoints: [(point: String, plan: Plan)] { points.map { ($0.label, $0.plan) } }

    func engine() -> Engine { Engine(store: store, operators: OperatorCatalog.standard) }
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
