import AssaySupport
import AssaySyntax
import Foundation

/// The entry point of the front end: reads an experiment and returns checked experiments or diagnostics.
///
/// ```swift
/// let result = Checker.check(path: "experiments/colored-fmnist-dfr.yaml", overrides: [("epochs", "1")])
/// if result.hasErrors { print(DiagnosticRenderer(sources: result.sources).renderText(result.diagnostics)) }
/// for experiment in result.experiments { ... }   // one per sweep point
/// ```
///
/// All errors are reported in one pass. A sweep yields one ``CheckedExperiment``
/// per point; a problem that appears at several points is reported once.
public enum Checker {
    public static func check(
        path: String, overrides: [(String, String)] = [], registry: OperatorRegistry = .standard, limits: YAMLParseLimits = .standard,
        machine: MachineLimits = .current
    ) -> CheckResult {
        check(ExperimentLoader.load(path: path, limits: limits), overrides: overrides, registry: registry, machine: machine)
    }

    /// Checks text held in memory; `source.path` locates relative paths and includes.
    public static func check(
        source: SourceFile, overrides: [(String, String)] = [], registry: OperatorRegistry = .standard, limits: YAMLParseLimits = .standard,
        machine: MachineLimits = .current
    ) -> CheckResult {
        check(ExperimentLoader.load(source: source, limits: limits), overrides: overrides, registry: registry, machine: machine)
    }

    /// Parameters of the checked file that no value refers to: a sweep over one runs identical points.
    static func unusedParameters(_ params: ParameterDeclarations, used: Set<String>, root: String) -> [Diagnostic] {
        params.declarations.filter { $0.keySpan.file == root && !used.contains($0.name) }.map { d in
            .warning("unused-parameter", "parameter `\(d.name)` is never used", at: d.keySpan, label: "unused",
                     help: [d.sweep != nil ? "the sweep over it gives identical points; refer to it as `$\(d.name)` or remove it" : "refer to it as `$\(d.name)`, or remove it"],
                     path: "params.\(d.name)")
        }
    }

    /// Runs the check on a thread with a large stack: references are followed recursively (up to
    /// `Elaborator.maxNesting` levels), which must not overflow the caller's stack, whatever thread it is.
    static func check(_ loaded: LoadedExperiment, overrides: [(String, String)], registry: OperatorRegistry, machine: MachineLimits = .current) -> CheckResult {
        final class Box: @unchecked Sendable { var result: CheckResult? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = checkOnCurrentThread(loaded, overrides: overrides, registry: registry, machine: machine)
            done.signal()
        }
        thread.stackSize = 512 << 20
        thread.start()
        done.wait()
        return box.result!
    }

    static func checkOnCurrentThread(_ loaded: LoadedExperiment, overrides: [(String, String)], registry: OperatorRegistry,
                                     machine: MachineLimits = .current) -> CheckResult {
        var diagnostics = loaded.diagnostics
        // Parameters are only read from files that parsed cleanly (an alias's placeholder is not a value);
        // `-p` overrides cannot be checked against declarations that were not read, so only the file's errors are reported.
        var params = ParameterDeclarations(entries: loaded.diagnostics.hasErrors ? [] : loaded.entries("params"))
        if !loaded.diagnostics.hasErrors { params.applyOverrides(overrides) }
        var zip = false
        if let sweep = loaded.settings["sweep"] {
            switch sweep.value.scalar {
            case "grid": zip = false
            case "zip": zip = true
            default:
                diagnostics.append(.error("unknown-enum-value", "`sweep:` must be `grid` or `zip`", at: sweep.value.span, help: ["`grid` combines every value; `zip` pairs them up"], path: "sweep"))
            }
        }
        for key in ["name", "description"] {
            if let pair = loaded.settings[key], pair.value.scalar == nil {
                diagnostics.append(.error("wrong-type", "`\(key):` must be a string, not a \(pair.value.kindName)", at: pair.value.span, path: key))
            }
        }
        let points = params.points(zip: zip, span: loaded.settings["sweep"]?.value.span)
        diagnostics += params.diagnostics
        // Structural errors make every point fail the same way: check the points only when the files parsed.
        var experiments: [CheckedExperiment] = []
        var inputs = loaded.inputs
        if !loaded.diagnostics.hasErrors && !params.diagnostics.hasErrors {
            for point in points {
                let elaborator = Elaborator(registry: registry, loaded: loaded, parameters: point.values, machine: machine)
                if var experiment = elaborator.run() {
                    experiment.sweepPoint = point.swept
                    experiment.seedParameters = params.seedParameters
                    if experiments.isEmpty { diagnostics += unusedParameters(params, used: elaborator.resolver.used, root: loaded.rootPath) }
                    experiments.append(experiment)
                }
                diagnostics += elaborator.diagnostics
                inputs.append(contentsOf: elaborator.session.inputs)
                // A point with errors is enough to show every distinct problem of a sweep in practice; stop early on big sweeps.
                if elaborator.diagnostics.hasErrors && experiments.isEmpty && points.count > 16 { break }
            }
        }
        let sorted = diagnostics.sortedUnique()
        return CheckResult(experiments: sorted.hasErrors ? [] : experiments, diagnostics: sorted, sources: loaded.sources, inputs: inputs)
    }
}
