import AssaySupport
import AssaySyntax
import Foundation

/// What the section checkers of one sweep point share: the experiment as loaded, the point's
/// parameter values, the diagnostics so far, the parameters used and the declarations referred to.
/// Everything a section finds is returned by its checker (``CheckedDatasets``, ...), not kept here.
final class CheckSession {
    let registry: OperatorRegistry
    let loaded: LoadedExperiment
    let parameters: [String: CanonicalValue]
    let baseDirectory: String
    /// Section entries by name (sections hold thousands of stages in big experiments).
    let index: [String: [String: SectionEntry]]
    /// The memory stages are bounded by (see `StageChecker+Memory.swift`).
    let machine: MachineLimits
    /// The top-level `resources:`, which every stage starts from (set once they are read).
    var defaultResources = ResourceSpec()
    var diagnostics: [Diagnostic] = []
    var resolver: ValueResolver
    /// Declarations some stage or other declaration refers to (`datasets.fmnist`, `models.cnn`, ...).
    var referenced: Set<String> = []
    /// What the checkers learned from the file system (``CheckInput``): every look at a file
    /// goes through ``probe(_:)`` or ``willRead(_:)``, so a cached check knows what to re-examine.
    var inputs = CheckInputs()

    init(registry: OperatorRegistry, loaded: LoadedExperiment, parameters: [String: CanonicalValue], machine: MachineLimits) {
        self.registry = registry
        self.loaded = loaded
        self.parameters = parameters
        self.machine = machine
        self.resolver = ValueResolver(parameters: parameters)
        self.baseDirectory = URL(fileURLWithPath: loaded.rootPath).deletingLastPathComponent().path
        var index: [String: [String: SectionEntry]] = [:]
        for (section, entries) in loaded.sections {
            index[section] = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        }
        self.index = index
    }

    func error(_ id: MessageID, _ message: String, _ span: SourceSpan?, label: String? = nil, notes: [DiagnosticNote] = [], help: [String] = [], path: String?) {
        diagnostics.append(.error(id, message, at: span, label: label, notes: notes, help: help, path: path))
    }

    /// A path as written in the experiment, made absolute (``ExperimentPath``: `~` is the home
    /// folder, relative paths start at the experiment file's folder).
    func absolutePath(_ path: String) -> String {
        ExperimentPath.resolve(path, relativeTo: baseDirectory)
    }

    /// Whether `path` exists and is a folder (recorded as an input of the check).
    func probe(_ path: String) -> (exists: Bool, isDirectory: Bool) { inputs.probe(path) }

    /// Call before reading part of a file (a header): records its identity as an input of the check.
    func willRead(_ path: String) { inputs.willRead(path) }

    func resolve(_ node: YAMLNode, path: String) -> Value {
        let v = resolver.resolve(node, path: path)
        diagnostics += resolver.diagnostics
        resolver.diagnostics = []
        return v
    }

    func entry(_ section: String, _ name: String) -> SectionEntry? { index[section]?[name] }

    /// An "unknown NAME" diagnostic with a close suggestion only.
    func unknown(_ id: MessageID, what: String, name: String, at span: SourceSpan, section: String, candidates: [String], path: String, extraHelp: [String] = []) {
        var help = extraHelp
        if let s = EditDistance.suggestion(for: name, among: candidates) { help.insert("did you mean `\(s)`?", at: 0) }
        else if candidates.isEmpty { help.append("nothing is declared under `\(section):` yet") }
        // The name may exist, just in another section (`data: erm.train` where `erm` is a stage).
        for other in LoadedExperiment.sectionNames where other != section && other != "params" && index[other]?[name] != nil && extraHelp.isEmpty {
            help.append("`\(name)` is declared under `\(other):`, but a name from `\(section):` is needed here")
        }
        error(id, "unknown \(what) `\(name)`", span, label: "not declared under `\(section):`", help: help, path: path)
    }

    /// The implicit stage a declaration runs (a data load, split, derivation or group split).
    func implicitStage(_ id: String, _ op: String, _ parameters: CanonicalValue, inputs: [String: StageOutputRef], outputs: [String: ArtifactType], span: SourceSpan,
                       files: [String: String] = [:]) -> StageInstance {
        let signature = registry.signature(op)!
        return StageInstance(id: id, operatorName: op, operatorVersion: signature.version, parameters: parameters, inputs: inputs,
                             outputs: outputs, resources: defaultResources, span: span, files: files)
    }

    static func shapeText(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }
}
