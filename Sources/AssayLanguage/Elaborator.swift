import AssaySupport
import AssaySyntax
import Foundation

/// Checks one sweep point of a loaded experiment and builds its ``CheckedExperiment``, one section
/// after another, each by its own checker, each handing what it found to the next:
/// settings (``SettingsChecker``), data sets (``DatasetChecker`` → ``CheckedDatasets``), group splits
/// (``GroupChecker`` → ``CheckedGroups``), segmentation targets (``TargetChecker`` → ``CheckedTargets``),
/// models (``ModelChecker``), then attacks and stages (``StageChecker``). They share a ``CheckSession``:
/// the experiment, the diagnostics and the declarations referred to.
final class Elaborator {
    let session: CheckSession
    let loaded: LoadedExperiment
    let parameters: [String: CanonicalValue]

    init(registry: OperatorRegistry, loaded: LoadedExperiment, parameters: [String: CanonicalValue], machine: MachineLimits = .current) {
        self.session = CheckSession(registry: registry, loaded: loaded, parameters: parameters, machine: machine)
        self.loaded = loaded
        self.parameters = parameters
    }

    var diagnostics: [Diagnostic] { session.diagnostics }
    var resolver: ValueResolver { session.resolver }

    // MARK: Run

    func run() -> CheckedExperiment? {
        let settings = SettingsChecker(session: session)
        session.defaultResources = settings.resources()
        let datasets = DatasetChecker(session: session).run()
        let groups = GroupChecker(session: session, datasets: datasets).run()
        let targets = TargetChecker(session: session, datasets: datasets).run()
        let models = ModelChecker(session: session, targets: targets)
        models.run()
        let stages = StageChecker(session: session, datasets: datasets, groups: groups, targets: targets, models: models).run()
        if session.diagnostics.hasErrors { return nil }
        warnAboutUnusedDeclarations()
        let name = loaded.settings["name"].flatMap { $0.value.scalar } ?? URL(fileURLWithPath: loaded.rootPath).deletingPathExtension().lastPathComponent
        let description = loaded.settings["description"].flatMap { $0.value.scalar }
        let executor = settings.executor()
        if session.diagnostics.hasErrors { return nil }
        return CheckedExperiment(name: name, description: description, file: loaded.rootPath, parameters: parameters, sweepPoint: [:],
                                 stages: Self.canonicalOrder(datasets.instances + groups.instances + stages), models: models.models, executor: executor)
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
    private func warnAboutUnusedDeclarations() {
        guard !loaded.entries("stages").isEmpty else { return }
        for section in ["datasets", "groups", "models", "attacks", "segmentation"] {
            for entry in loaded.entries(section) where entry.keySpan.file == loaded.rootPath && !session.referenced.contains("\(section).\(entry.name)") {
                session.diagnostics.append(.warning(
                    "unused-declaration", "`\(entry.name)` is declared under `\(section):` but no stage uses it", at: entry.keySpan, label: "unused",
                    help: ["remove it, or use it in a stage; implicit data stages of unused data sets still run"], path: "\(section).\(entry.name)"))
            }
        }
    }
}
