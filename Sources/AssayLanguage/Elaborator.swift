import AssaySupport
import AssaySyntax
import Foundation

/// Checks one sweep point of a loaded experiment and builds its ``CheckedExperiment``.
///
/// Declarations are checked on demand (a stage referring to a data set checks
/// that data set first), which gives dependency order for free and finds
/// cycles: a declaration met again while it is being checked is a cycle.
final class Elaborator {
    let registry: OperatorRegistry
    let loaded: LoadedExperiment
    let parameters: [String: CanonicalValue]
    let baseDirectory: String
    var diagnostics: [Diagnostic] = []
    var resolver: ValueResolver

    var datasets: [String: DatasetInfo] = [:]
    var datasetVisiting: [String] = []
    var failedDatasets: Set<String> = []
    var groups: [String: (stage: String, dataset: String)] = [:]
    var failedGroups: Set<String> = []
    var targets: [String: (canonical: CanonicalValue, classes: [String], dataset: DatasetInfo)] = [:]
    var failedTargets: Set<String> = []
    var models: [String: ModelSpec] = [:]
    var modelCache: [String: ModelSpec?] = [:]
    var canonicalModels: [String: CanonicalValue] = [:]
    var modelDeclarations: [String: ModelDeclaration?] = [:]
    /// Declarations some stage or other declaration refers to (`datasets.fmnist`, `models.cnn`, ...).
    var referenced: Set<String> = []
    var stages: [String: StageInfo] = [:]
    var stageVisiting: [String] = []
    var failedStages: Set<String> = []
    var instances: [StageInstance] = []
    var defaultResources = ResourceSpec()
    /// Section entries by name (sections hold thousands of stages in big experiments).
    let index: [String: [String: SectionEntry]]
    /// The memory stages are bounded by (see `Elaborator+Memory.swift`).
    var machine = MachineLimits.current

    init(registry: OperatorRegistry, loaded: LoadedExperiment, parameters: [String: CanonicalValue]) {
        self.registry = registry
        self.loaded = loaded
        self.parameters = parameters
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

    // MARK: Run

    func run() -> CheckedExperiment? {
        readResources()
        // Check in dependency order so that long chains never recurse deeply (see `dependencyOrder`).
        for name in Self.dependencyOrder(loaded.entries("datasets"), among: Set(index["datasets"]?.keys ?? [:].keys), extra: [:]) {
            _ = dataset(name, from: nil, path: "datasets.\(name)")
        }
        for entry in loaded.entries("groups") { _ = group(entry.name, from: nil, path: "groups.\(entry.name)") }
        for entry in loaded.entries("segmentation") { _ = target(entry.name, from: nil, path: "segmentation.\(entry.name)") }
        for entry in loaded.entries("models") { checkModelDeclaration(entry) }
        for entry in loaded.entries("attacks") { checkAttackDeclaration(entry) }
        stages.reserveCapacity(loaded.entries("stages").count)
        instances.reserveCapacity(loaded.entries("stages").count + 2 * loaded.entries("datasets").count)
        var attackNames: [String: [String]] = [:]
        for attack in loaded.entries("attacks") { attackNames[attack.name] = Self.scalars(attack.node) }
        for name in Self.dependencyOrder(loaded.entries("stages"), among: Set(index["stages"]?.keys ?? [:].keys), extra: attackNames) {
            _ = stage(name, from: nil, path: "stages.\(name)")
        }
        if diagnostics.hasErrors { return nil }
        warnAboutUnusedDeclarations()
        let settings = loaded.settings
        let name = settings["name"].flatMap { $0.value.scalar } ?? URL(fileURLWithPath: loaded.rootPath).deletingPathExtension().lastPathComponent
        let description = settings["description"].flatMap { $0.value.scalar }
        var context = StageBindings(stage: "executor")
        let executor = settings["executor"].map { checkFields(resolve($0.value, path: "executor"), registry.executor, path: "executor", slot: "", context: &context) }
            ?? .map(Dictionary(uniqueKeysWithValues: registry.executor.map { ($0.name, $0.defaultValue ?? .null) }))
        if diagnostics.hasErrors { return nil }
        return CheckedExperiment(name: name, description: description, file: loaded.rootPath, parameters: parameters, sweepPoint: [:],
                                 stages: Self.canonicalOrder(instances), models: models, executor: executor)
    }

    /// Every scalar of a node (and the part before the first `.`, for split references such as `fmnist.train`).
    static func scalars(_ node: YAMLNode) -> [String] {
        var out: [String] = []
        var stack = [node]
        while let n = stack.popLast() {
            switch n.kind {
            case .scalar(let s, _):
                out.append(s)
                if let dot = s.firstIndex(of: ".") { out.append(String(s[..<dot])) }
            case .sequence(let items): stack += items
            case .mapping(let pairs): stack += pairs.map(\.value)
            }
        }
        return out
    }

    /// A post-order of entries by the names their scalars mention (`extra` adds the scalars of a mentioned
    /// declaration, e.g. an attack's `model:`). Computed iteratively: a chain of thousands of stages declared
    /// in reverse must not recurse thousands of levels deep when checked.
    static func dependencyOrder(_ entries: [SectionEntry], among names: Set<String>, extra: [String: [String]]) -> [String] {
        var deps: [String: [String]] = [:]
        for entry in entries {
            var mentioned = scalars(entry.node)
            for s in mentioned where extra[s] != nil { mentioned += extra[s]! }
            deps[entry.name] = mentioned.filter { names.contains($0) && $0 != entry.name }
        }
        var state: [String: Bool] = [:]  // false: in progress, true: done
        var order: [String] = []
        for entry in entries where state[entry.name] == nil {
            var stack: [(name: String, next: Int)] = [(entry.name, 0)]
            state[entry.name] = false
            while let top = stack.last {
                let ds = deps[top.name] ?? []
                if top.next < ds.count {
                    stack[stack.count - 1].next += 1
                    let d = ds[top.next]
                    if state[d] == nil {
                        state[d] = false
                        stack.append((d, 0))
                    }
                } else {
                    stack.removeLast()
                    state[top.name] = true
                    order.append(top.name)
                }
            }
        }
        return order
    }

    /// Recursion guard: checks nest only through references, and deeper than this means a huge cycle.
    static let maxNesting = 200

    /// Dependency order with ties broken by id, so that the order of declarations in the file does not matter.
    static func canonicalOrder(_ stages: [StageInstance]) -> [StageInstance] {
        var position: [String: Int] = [:]
        for (i, s) in stages.enumerated() { position[s.id] = i }
        var waiting = [Int](repeating: 0, count: stages.count)
        var dependents = [[Int]](repeating: [], count: stages.count)
        for (i, s) in stages.enumerated() {
            var seen = Set<Int>()
            for ref in s.inputs.values {
                guard let d = position[ref.stage], seen.insert(d).inserted else { continue }
                waiting[i] += 1
                dependents[d].append(i)
            }
        }
        // A min-heap of ready stages keyed by id.
        var heap: [Int] = []
        func less(_ a: Int, _ b: Int) -> Bool { stages[a].id < stages[b].id }
        func push(_ x: Int) {
            heap.append(x)
            var c = heap.count - 1
            while c > 0 {
                let p = (c - 1) / 2
                guard less(heap[c], heap[p]) else { break }
                heap.swapAt(c, p)
                c = p
            }
        }
        func pop() -> Int {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var p = 0
                while true {
                    let l = 2 * p + 1, r = l + 1
                    var m = p
                    if l < heap.count, less(heap[l], heap[m]) { m = l }
                    if r < heap.count, less(heap[r], heap[m]) { m = r }
                    if m == p { break }
                    heap.swapAt(p, m)
                    p = m
                }
            }
            return top
        }
        for i in stages.indices where waiting[i] == 0 { push(i) }
        var ordered: [StageInstance] = []
        ordered.reserveCapacity(stages.count)
        while !heap.isEmpty {
            let i = pop()
            ordered.append(stages[i])
            for next in dependents[i] {
                waiting[next] -= 1
                if waiting[next] == 0 { push(next) }
            }
        }
        return ordered
    }

    /// Declarations of the checked file itself that nothing uses (included files are libraries: no warning).
    /// A file without stages is a library of declarations (or a `--summary` of models): no warnings.
    func warnAboutUnusedDeclarations() {
        guard !loaded.entries("stages").isEmpty else { return }
        for section in ["datasets", "groups", "models", "attacks", "segmentation"] {
            for entry in loaded.entries(section) where entry.keySpan.file == loaded.rootPath && !referenced.contains("\(section).\(entry.name)") {
                diagnostics.append(.warning(
                    "unused-declaration", "`\(entry.name)` is declared under `\(section):` but no stage uses it", at: entry.keySpan, label: "unused",
                    help: ["remove it, or use it in a stage; implicit data stages of unused data sets still run"], path: "\(section).\(entry.name)"))
            }
        }
    }

    func readResources() {
        guard let pair = loaded.settings["resources"] else { return }
        var context = StageBindings(stage: "resources")
        let v = resolve(pair.value, path: "resources")
        let c = checkFields(v, registry.resources, path: "resources", slot: "", context: &context)
        defaultResources = resources(from: c, given: v, base: ResourceSpec())
    }

    /// Resources from a checked `resources:` block; only the fields written override `base`.
    func resources(from c: CanonicalValue, given v: Value, base: ResourceSpec) -> ResourceSpec {
        var r = base
        if v["cpus"] != nil, let x = c["cpus"]?.intValue { r.cpus = x }
        if v["memory"] != nil, let x = c["memory"]?.intValue { r.memoryBytes = x }
        if v["time"] != nil, let x = c["time"]?.intValue { r.timeSeconds = x }
        if v["partition"] != nil, let x = c["partition"]?.stringValue { r.partition = x }
        if v["gpus"] != nil, let x = c["gpus"]?.intValue { r.gpus = x }
        return r
    }

    // MARK: References

    /// Resolves a reference to an artifact and records it as an input of the stage being checked.
    func resolveReference(_ v: Value, _ artifact: ArtifactType, slot: String, path: String, context: inout StageBindings) {
        guard let text = v.string ?? (v.text.isEmpty ? nil : v.text) else {
            error("wrong-type", "expected a reference to a \(artifact.rawValue), found \(v.kindName)", v.span, path: path)
            return
        }
        // `""`, `"."`, `"a."`: a reference with an empty part names nothing (and must not reach the lookups).
        if text.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            let example = artifact == .dataset ? "`fmnist.train` (a data set and one of its splits)" : "the name of a declaration, such as `erm`"
            error("bad-reference", text.isEmpty ? "an empty string is not a reference to a \(artifact.rawValue)" : "`\(text)` is not a reference to a \(artifact.rawValue): a part of it is empty", v.span,
                  label: "expected a name", help: ["write \(example)"], path: path)
            return
        }
        switch artifact {
        case .dataset:
            let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
            let name = parts[0]
            let nameSpan = SourceSpan(file: v.span.file, start: v.span.start,
                                      end: SourceLocation(line: v.span.start.line, column: v.span.start.column + name.unicodeScalars.count, offset: v.span.start.offset + name.utf8.count))
            guard let info = dataset(name, from: nameSpan, path: path) else { return }
            guard parts.count == 2 else {
                error("missing-split", "`\(name)` is a whole data set; name one of its splits", v.span, label: "which split?",
                      help: ["write one of: " + info.splits.map { "`\(name).\($0)`" }.joined(separator: ", ")], path: path)
                return
            }
            guard info.splits.contains(parts[1]) else {
                var help = ["`\(name)` has splits: " + info.splits.joined(separator: ", ")]
                if let s = EditDistance.suggestion(for: parts[1], among: info.splits) { help.insert("did you mean `\(name).\(s)`?", at: 0) }
                help.append("add a split with `split: { \(parts[1]): { from: train, fraction: 0.2 } }` in its declaration")
                error("unknown-split", "data set `\(name)` has no split `\(parts[1])`", v.span, label: "unknown split", help: help, path: path)
                return
            }
            context.inputs[slot] = StageOutputRef(stage: info.stage, output: parts[1])
            context.datasets[slot] = info
        case .datasetSplits:
            guard let info = dataset(text, from: v.span, path: path) else { return }
            for split in info.splits { context.inputs["\(slot).\(split)"] = StageOutputRef(stage: info.stage, output: split) }
            context.datasets[slot] = info
        case .groups:
            guard let g = group(text, from: v.span, path: path) else { return }
            context.inputs[slot] = StageOutputRef(stage: g.stage, output: "groups")
        default:
            guard entry("stages", text) != nil else {
                var extra: [String] = []
                if artifact == .trainedModel, entry("models", text) != nil {
                    error("untrained-model", "`\(text)` is a model declaration, not a trained model", v.span, label: "declared under `models:`",
                          help: ["train it in a stage first, e.g. `erm: { train: { model: \(text), data: ... } }`, and refer to that stage"], path: path)
                    return
                }
                if artifact == .trainedModel { extra = ["a trained model is the output of a `train`, `attack` or `segmentation-train` stage"] }
                unknown("unknown-stage", what: "stage", name: text, at: v.span, section: "stages", candidates: loaded.entries("stages").map(\.name), path: path, extraHelp: extra)
                return
            }
            guard let info = stage(text, from: v.span, path: path) else { return }
            guard let output = info.signature.outputs.first(where: { $0.type == artifact }) else {
                let produces = info.signature.outputs.map { $0.type.rawValue }.joined(separator: ", ")
                let producers = registry.stageOperators.filter { $0.outputs.contains { $0.type == artifact } }.map { "`\($0.name)`" }.joined(separator: ", ")
                error("wrong-stage-kind", "stage `\(text)` (`\(info.signature.name)`) outputs \(produces), not a \(artifact.rawValue)", v.span,
                      label: "expected a \(artifact.rawValue)", notes: [DiagnosticNote("`\(text)` is declared here", at: info.declaration.keySpan)],
                      help: ["a \(artifact.rawValue) comes from a \(producers) stage"], path: path)
                return
            }
            context.inputs[slot] = StageOutputRef(stage: text, output: output.name)
            if artifact == .trainedModel { context.model = info.model }
            if artifact == .features { context.model = info.featuresModel }
        }
    }

    /// Parses `layer[channel]` and checks it against the context's model.
    func checkUnit(_ v: Value, path: String, context: StageBindings) -> CanonicalValue? {
        let text = v.string ?? v.text
        guard let open = text.lastIndex(of: "["), text.hasSuffix("]"), let channel = Int(text[text.index(after: open)..<text.index(before: text.endIndex)]), channel >= 0 else {
            error("bad-unit", "`\(text)` is not a unit", v.span, label: "expected `layer[channel]`",
                  help: ["write the layer's name or module path and a channel index, e.g. `conv2[5]` or `layer4.1.conv2[17]`"], path: path)
            return nil
        }
        let layerName = String(text[..<open])
        guard let model = context.model else { return .map(["layer": .string(layerName), "channel": .int(channel)]) }
        guard let layer = model.layer(tapped: layerName) else {
            let names = model.flattenedLayers.flatMap { [$0.name, $0.path] } + model.tapNames
            var help = ["layers of `\(model.name)`: " + model.tapNames.joined(separator: ", ")]
            if let s = EditDistance.suggestion(for: layerName, among: Set(names)) { help.insert("did you mean `\(s)`?", at: 0) }
            error("unknown-unit", "model `\(model.name)` has no layer `\(layerName)`", v.span, label: "unknown layer", help: help, path: path)
            return nil
        }
        let channels = layer.outputShape.first ?? 0
        guard channel < channels else {
            error("unit-out-of-range", "`\(layerName)` has \(channels) channels (0...\(channels - 1)), so channel \(channel) does not exist", v.span,
                  label: "channel \(channel) ≥ \(channels)", help: ["pick a channel below \(channels)"], path: path)
            return nil
        }
        return .map(["layer": .string(layer.path), "channel": .int(channel)])
    }

    /// Inlines a declaration (model, attack, segmentation target) into a stage's parameters.
    func inlineDeclaration(_ v: Value, _ kind: DeclarationKind, slot: String, path: String, context: inout StageBindings) -> CanonicalValue? {
        guard let name = v.string else {
            error("wrong-type", "expected the name of a \(kind.rawValue) declaration, found \(v.kindName)", v.span, path: path)
            return nil
        }
        switch kind {
        case .model:
            // Resolved by the stage once its data is known (see checkTrain).
            guard entry("models", name) != nil else {
                unknown("unknown-model", what: "model", name: name, at: v.span, section: "models", candidates: loaded.entries("models").map(\.name), path: path,
                        extraHelp: entry("stages", name) != nil ? ["`\(name)` is a stage; `train` needs a model declaration from `models:`"] : [])
                return nil
            }
            return .string(name)
        case .attack:
            referenced.insert("attacks.\(name)")
            guard let decl = entry("attacks", name) else {
                unknown("unknown-attack", what: "attack", name: name, at: v.span, section: "attacks", candidates: loaded.entries("attacks").map(\.name), path: path)
                return nil
            }
            return checkAttack(decl, slot: slot, context: &context)
        case .segmentationTarget:
            guard let t = target(name, from: v.span, path: path) else { return nil }
            return t.canonical
        }
    }
}
