import AssaySupport
import Foundation

/// Checks `datasets:`: each data set's source (through its kind's `describe`), new splits, labels and
/// injected attributes, in dependency order, and finds cycles. Returns what is known of every data
/// set and the implicit stages that build them.
final class DatasetChecker: SectionChecker {
    static let datasetSources = EditorSchema.datasetSources.map(\.field)
    static let datasetModifiers = ["label", "attribute", "split", "seed"]

    let session: CheckSession
    private let checked = CheckedOnFirstUse<DatasetInfo>()
    private var instances: [StageInstance] = []

    init(session: CheckSession) { self.session = session }

    func run() -> CheckedDatasets {
        // Check in dependency order so that long chains never recurse deeply (see `Elaborator.dependencyOrder`).
        for name in Elaborator.dependencyOrder(loaded.entries("datasets"), among: Set(session.index["datasets"]?.keys ?? [:].keys), extra: [:]) {
            _ = dataset(name, from: nil, path: "datasets.\(name)")
        }
        return CheckedDatasets(section: "datasets", what: "dataset", unknownID: "unknown-dataset", found: checked.found, failed: checked.failed, instances: instances)
    }

    private func emit(_ id: String, _ op: String, _ parameters: CanonicalValue, inputs: [String: StageOutputRef], outputs: [String: ArtifactType], span: SourceSpan,
              files: [String: String] = [:]) {
        instances.append(session.implicitStage(id, op, parameters, inputs: inputs, outputs: outputs, span: span, files: files))
    }

    /// The data set `name`, checked on first use. `from` is the span of the reference (nil when checking the declaration itself).
    func dataset(_ name: String, from span: SourceSpan?, path: String) -> DatasetInfo? {
        if span != nil { session.referenced.insert("datasets.\(name)") }
        if let info = checked.found[name] { return info }
        if checked.failed.contains(name) { return nil }
        guard let entry = entry("datasets", name) else {
            if let span {
                unknown("unknown-dataset", what: "dataset", name: name, at: span, section: "datasets", candidates: loaded.entries("datasets").map(\.name), path: path)
            }
            return nil
        }
        let at = span ?? entry.keySpan
        return checked.info(name, report: { problem in
            switch problem {
            case .cycle(let cycle):
                error("dataset-cycle", "data sets derive from each other in a cycle: " + cycle.joined(separator: " → "), at,
                      label: "cycle", help: ["derive each data set from a source declared before it"], path: path)
            case .tooDeep:
                error("dependency-too-deep", "data sets derive from each other more than \(Elaborator.maxNesting) levels deep (through `\(name)`)", at,
                      help: ["this happens with a very long cycle of `from:`; check which data set the chain should start from"], path: path)
            }
        }, check: { checkDataset(entry) })
    }

    private func checkDataset(_ entry: SectionEntry) -> DatasetInfo? {
        let name = entry.name
        let path = "datasets.\(name)"
        if name.isEmpty || name.contains(".") {
            error("bad-name", "data set name `\(name)` must not be empty or contain `.` (references are written `NAME.SPLIT`)", entry.keySpan,
                  help: ["use letters, digits, `-` and `_`"], path: path)
            return nil
        }
        let v = resolve(entry.node, path: path)
        guard let entries = v.entries else {
            error("wrong-type", "data set `\(name)` must be a mapping with a source, e.g. `{ fashion-mnist: {} }` or `{ from: other, ... }`", v.span, path: path)
            return nil
        }
        for e in entries where !(Self.datasetSources + Self.datasetModifiers).contains(e.key) {
            var help = ["sources: " + Self.datasetSources.joined(separator: ", ") + "; modifiers: " + Self.datasetModifiers.joined(separator: ", ")]
            if let s = EditDistance.suggestion(for: e.key, among: Self.datasetSources + Self.datasetModifiers) { help.insert("did you mean `\(s)`?", at: 0) }
            error("unknown-field", "unknown field `\(e.key)` in data set `\(name)`", e.keySpan, label: "not a data set field", help: help, path: "\(path).\(e.key)")
        }
        let sources = entries.filter { Self.datasetSources.contains($0.key) }
        guard sources.count == 1, let source = sources.first else {
            if sources.isEmpty {
                error("missing-source", "data set `\(name)` has no source", entry.keySpan, label: "where does it come from?",
                      help: ["add one of: " + Self.datasetSources.map { "`\($0):`" }.joined(separator: ", ")], path: path)
            } else {
                error("conflicting-sources", "data set `\(name)` has several sources: " + sources.map { "`\($0.key)`" }.joined(separator: ", "), sources[1].keySpan,
                      label: "second source", help: ["keep one source; derive a second data set with `from:` for the other"], path: path)
            }
            return nil
        }
        var context = StageBindings()
        var info: DatasetInfo
        /// The data set whose classes `label:` names: the `from:` source of a derived one.
        var classesOf = name
        var stageIDs: [String] = []
        func nextID(_ suffix: String) -> String {
            let id = stageIDs.isEmpty ? "datasets.\(name)" : "datasets.\(name).\(suffix)"
            stageIDs.append(id)
            return id
        }
        let sourcePath = "\(path).\(source.key)"
        if source.key == "from" {
            guard let from = source.value.string else {
                if source.value.isUnresolved { return nil }
                error("wrong-type", "`from:` names another data set, found \(source.value.kindName)", source.value.span, path: sourcePath)
                return nil
            }
            guard let base = dataset(from, from: source.value.span, path: sourcePath) else { return nil }
            info = base
            info.name = name
            classesOf = from
            info.declaration = entry
        } else {
            guard let op = EditorSchema.datasetSources.first(where: { $0.field == source.key })?.operatorName, let kind = StageKind.named(op),
                  let describe = kind.describe, let signature = registry.signature(op) else { return nil }
            let params = checkFields(source.value, signature.parameters, path: sourcePath, slot: "", context: &context)
            var check = SourceCheck(entry: entry, path: sourcePath, body: source.value, parameters: params, bindings: context)
            guard !session.diagnostics.hasErrors || params != .null, let built = describe(&check, self) else { return nil }
            context = check.bindings
            info = built
            let id = nextID("")
            info.stage = id
            emit(id, op, params, inputs: context.inputs, outputs: Dictionary(uniqueKeysWithValues: info.splits.map { ($0, .dataset) }), span: entry.keySpan,
                 files: context.files)
        }
        if let split = v.entry("split") {
            guard let (params, newSplits) = checkSplit(split.value, info: info, path: "\(path).split") else { return nil }
            let id = nextID("split")
            var inputs: [String: StageOutputRef] = [:]
            for s in info.splits { inputs["source.\(s)"] = StageOutputRef(stage: info.stage, output: s) }
            info.splits = newSplits.splits
            info.sizes = newSplits.sizes
            info.stage = id
            emit(id, "split", params, inputs: inputs, outputs: Dictionary(uniqueKeysWithValues: info.splits.map { ($0, .dataset) }), span: split.keySpan)
        }
        if v.entry("label") != nil || v.entry("attribute") != nil {
            var params: [String: CanonicalValue] = ["label": .null, "attribute": .null]
            if let label = v.entry("label") {
                guard let (c, classes) = checkLabel(label.value, info: info, classesOf: classesOf, path: "\(path).label") else { return nil }
                params["label"] = c
                info.classes = classes
            }
            if let attribute = v.entry("attribute") {
                guard let (c, attributeName, channels) = checkAttribute(attribute.value, info: info, path: "\(path).attribute") else { return nil }
                params["attribute"] = c
                info.attributes.append(attributeName)
                info.sampleShape[0] = channels
            }
            params["seed"] = .int(0)
            if let seed = v.entry("seed") {
                var ctx = StageBindings()
                guard let s = checkValue(seed.value, registry.signature("derive")!.parameter("seed")!, path: "\(path).seed", slot: "", context: &ctx) else { return nil }
                params["seed"] = s
            }
            let id = nextID("derive")
            var inputs: [String: StageOutputRef] = [:]
            for s in info.splits { inputs["source.\(s)"] = StageOutputRef(stage: info.stage, output: s) }
            info.stage = id
            emit(id, "derive", .map(params), inputs: inputs, outputs: Dictionary(uniqueKeysWithValues: info.splits.map { ($0, .dataset) }), span: entry.keySpan)
        } else if v.entry("seed") != nil, v.entry("split") == nil {
            error("unknown-field", "`seed:` of a data set seeds its `label`/`attribute` derivation, but `\(name)` has neither", v.entry("seed")!.keySpan,
                  help: ["remove `seed:`, or put it inside `split:` to seed the split"], path: "\(path).seed")
        }
        return info
    }

    /// `split: { val: { from: train, size: 10000 }, seed: 0 }`.
    private func checkSplit(_ v: Value, info: DatasetInfo, path: String) -> (CanonicalValue, (splits: [String], sizes: [String: Int]))? {
        guard let entries = v.entries, !entries.isEmpty else {
            error("wrong-type", "`split:` maps new split names to `{ from: SPLIT, size: N }` or `{ from: SPLIT, fraction: F }`", v.span, path: path)
            return nil
        }
        var splits = info.splits
        var sizes = info.sizes
        var result: [String: CanonicalValue] = [:]
        var seed: CanonicalValue = .int(0)
        var ok = true
        for e in entries {
            let p = "\(path).\(e.key)"
            var ctx = StageBindings()
            if e.key == "seed" {
                if let s = checkValue(e.value, StageKind.seed, path: p, slot: "", context: &ctx) { seed = s } else { ok = false }
                continue
            }
            let schema = [
                ParameterSchema("from", .string, required: true, doc: "The split examples are taken from."),
                ParameterSchema("size", .int, min: 1, doc: "Number of examples moved."),
                ParameterSchema("fraction", .double, min: 0, max: 1, exclusiveMin: true, doc: "Fraction of the examples moved."),
            ]
            let c = checkFields(e.value, schema, path: p, slot: "", context: &ctx)
            guard let from = c["from"]?.stringValue else { ok = false; continue }
            guard splits.contains(from) else {
                var help = ["`\(info.name)` has splits: " + splits.joined(separator: ", ")]
                if let s = EditDistance.suggestion(for: from, among: splits) { help.insert("did you mean `\(s)`?", at: 0) }
                error("unknown-split", "cannot take examples from split `\(from)`: `\(info.name)` has no such split", e.value["from"]?.span ?? e.value.span, help: help, path: "\(p).from")
                ok = false
                continue
            }
            let size = c["size"]?.intValue, fraction = c["fraction"]?.doubleValue
            if (size == nil) == (fraction == nil) {
                error("missing-field", "split `\(e.key)` needs exactly one of `size:` and `fraction:`", e.value.span, help: ["e.g. `\(e.key): { from: \(from), fraction: 0.2 }`"], path: p)
                ok = false
                continue
            }
            if splits.contains(e.key) && e.key != from {
                error("duplicate-split", "`\(info.name)` already has a split `\(e.key)`", e.keySpan, help: ["choose another name"], path: p)
                ok = false
                continue
            }
            if let size, let available = sizes[from] {
                if size >= available {
                    error("split-too-large", "split `\(e.key)` takes \(size) examples from `\(from)`, which has only \(available)", e.value["size"]?.span ?? e.value.span,
                          label: "\(size) ≥ \(available)", help: ["use a size below \(available), or a `fraction:`"], path: "\(p).size")
                    ok = false
                    continue
                }
                sizes[from] = available - size
                sizes[e.key] = size
            } else if let fraction, let available = sizes[from] {
                let moved = Int((Double(available) * fraction).rounded(.down))
                sizes[from] = available - moved
                sizes[e.key] = moved
            }
            if !splits.contains(e.key) { splits.append(e.key) }
            result[e.key] = c
        }
        guard ok else { return nil }
        return (.map(["splits": .map(result), "seed": seed]), (splits, sizes))
    }

    /// `label: { binary: { positive: [...] } }`, `{ subset: [...] }` or `{ relabel: { old: new, ... } }`.
    /// The classes named are those of `classesOf` (`info`'s `from:` source when derived), which diagnostics name.
    private func checkLabel(_ v: Value, info: DatasetInfo, classesOf: String, path: String) -> (CanonicalValue, [String])? {
        guard let entries = v.entries, entries.count == 1, let kind = entries.first else {
            error("wrong-type", "`label:` must be one of `{ binary: {...} }`, `{ subset: [...] }`, `{ relabel: {...} }`", v.span, path: path)
            return nil
        }
        func checkClass(_ c: Value, _ p: String) -> String? {
            let name = c.string ?? c.text
            if info.classes.contains(name) { return name }
            let derived = classesOf == info.name ? "" : " (`\(info.name)` is derived from it)"
            var help = ["classes of `\(classesOf)`\(derived): " + info.classes.joined(separator: ", ")]
            if let s = EditDistance.suggestion(for: name, among: info.classes) { help.insert("did you mean `\(s)`?", at: 0) }
            error("unknown-class", "`\(classesOf)` has no class `\(name)`", c.span, label: "unknown class", help: help, path: p)
            return nil
        }
        let p = "\(path).\(kind.key)"
        var ctx = StageBindings()
        switch kind.key {
        case "binary":
            guard case .variant(let alternatives) = registry.signature("derive")!.parameter("label")!.type, case .record(let fields) = alternatives["binary"]! else { return nil }
            let c = checkFields(kind.value, fields, path: p, slot: "", context: &ctx)
            let positives = kind.value["positive"]?.items ?? []
            var ok = c != .null
            for (i, item) in positives.enumerated() where checkClass(item, "\(p).positive[\(i)]") == nil { ok = false }
            if positives.isEmpty, ok {
                error("missing-field", "`binary:` needs at least one class in `positive:`", kind.value.span, path: "\(p).positive")
                ok = false
            }
            let names = c["names"]?.listValue?.compactMap(\.stringValue) ?? []
            if names.count != 2 {
                error("class-count-mismatch", "a binary task has two label names, but `names:` lists \(names.count)", kind.value["names"]?.span ?? kind.value.span, path: "\(p).names")
                ok = false
            }
            return ok ? (.map(["binary": c]), names) : nil
        case "subset":
            let items = kind.value.items ?? []
            var names: [String] = []
            for (i, item) in items.enumerated() {
                guard let name = checkClass(item, "\(p)[\(i)]") else { return nil }
                names.append(name)
            }
            if names.count < 2 {
                error("out-of-range", "a class subset needs at least two classes", kind.value.span, path: p)
                return nil
            }
            return (.map(["subset": .list(names.map { .string($0) })]), names)
        case "relabel":
            guard let pairs = kind.value.entries, !pairs.isEmpty else {
                error("wrong-type", "`relabel:` maps old class names to new ones, e.g. `{ t-shirt: top, shirt: top }`", kind.value.span, path: p)
                return nil
            }
            // New classes are numbered in the order they first appear in the file, so the
            // canonical form is a list of pairs in that order (a map would sort them by name).
            var mapping: [CanonicalValue] = []
            var names: [String] = []
            for e in pairs {
                guard info.classes.contains(e.key) else {
                    _ = checkClass(Value(kind: .string(e.key), span: e.keySpan, text: e.key), "\(p).\(e.key)")
                    return nil
                }
                let new = e.value.string ?? e.value.text
                mapping.append(.map(["from": .string(e.key), "to": .string(new)]))
                if !names.contains(new) { names.append(new) }
            }
            return (.map(["relabel": .list(mapping)]), names)
        default:
            var help = ["use `binary`, `subset` or `relabel`"]
            if let s = EditDistance.suggestion(for: kind.key, among: ["binary", "subset", "relabel"]) { help.insert("did you mean `\(s)`?", at: 0) }
            error("unknown-enum-value", "`\(kind.key)` is not a kind of label derivation", kind.keySpan, help: help, path: p)
            return nil
        }
    }

    /// `attribute: { border: { size: 2, correlation: { train: 0.95, val: 0.5, test: 0.5 } }, name: border }`.
    private func checkAttribute(_ v: Value, info: DatasetInfo, path: String) -> (CanonicalValue, String, Int)? {
        let kinds = ["tint", "border", "patch", "texture"]
        guard let entries = v.entries else {
            error("wrong-type", "`attribute:` must be a mapping such as `{ border: { size: 2, correlation: 0.95 } }`", v.span, path: path)
            return nil
        }
        let kindEntries = entries.filter { $0.key != "name" }
        guard kindEntries.count == 1, let kind = kindEntries.first else {
            error("missing-field", "`attribute:` needs exactly one kind: " + kinds.joined(separator: ", "), v.span, path: path)
            return nil
        }
        guard kinds.contains(kind.key) else {
            var help = ["kinds: " + kinds.joined(separator: ", ")]
            if let s = EditDistance.suggestion(for: kind.key, among: kinds) { help.insert("did you mean `\(s)`?", at: 0) }
            error("unknown-enum-value", "`\(kind.key)` is not a kind of attribute", kind.keySpan, label: "unknown kind", help: help, path: "\(path).\(kind.key)")
            return nil
        }
        guard info.task == .classification, info.sampleShape.count == 3 else {
            error("wrong-data-kind", "attributes are injected into image classification data, but `\(info.name)` is a \(info.task.rawValue) data set", kind.keySpan, path: path)
            return nil
        }
        let p = "\(path).\(kind.key)"
        let name = v["name"].map { $0.string ?? $0.text } ?? kind.key
        if name == "label" || info.attributes.contains(name) {
            error("duplicate-attribute", "`\(info.name)` already has an attribute named `\(name)`", v["name"]?.span ?? kind.keySpan, help: ["give it another `name:`"], path: path)
            return nil
        }
        var ctx = StageBindings()
        let fields = [
            ParameterSchema("size", .int, default: 2, min: 1, doc: "Border width or patch size in pixels."),
            ParameterSchema("correlation", .double, required: true, min: 0, max: 1, doc: "P(attribute = label) per split."),
        ]
        guard let body = kind.value.entries else {
            error("wrong-type", "`\(kind.key):` needs `correlation:` (and optionally `size:`)", kind.value.span, path: p)
            return nil
        }
        for e in body where !["size", "correlation"].contains(e.key) {
            error("unknown-field", "unknown field `\(e.key)` in attribute `\(kind.key)`", e.keySpan, help: ["allowed here: size, correlation"], path: "\(p).\(e.key)")
            return nil
        }
        var size = CanonicalValue.int(2)
        if let s = kind.value["size"] {
            guard let c = checkValue(s, fields[0], path: "\(p).size", slot: "", context: &ctx) else { return nil }
            size = c
        }
        // The renderer draws inside the image: a border on all four sides, a patch in one corner.
        if let pixels = size.intValue, ["border", "patch"].contains(kind.key) {
            let (h, w) = (info.sampleShape[1], info.sampleShape[2])
            let largest = kind.key == "border" ? (min(h, w) - 1) / 2 : min(h, w) - 1
            if pixels > largest {
                let what = kind.key == "border" ? "a \(pixels)-pixel border on each side" : "a \(pixels)×\(pixels) patch"
                error("attribute-too-large", "\(what) does not fit the \(h)×\(w) images of `\(info.name)`", kind.value["size"]?.span ?? kind.keySpan,
                      label: "size \(pixels)", help: ["use `size:` of at most \(max(largest, 0)) so that part of each image stays visible"], path: "\(p).size")
                return nil
            }
        }
        guard let correlation = kind.value["correlation"] else {
            error("missing-field", "attribute `\(kind.key)` needs `correlation:` (one number, or one per split)", kind.value.span,
                  help: ["e.g. `correlation: { " + info.splits.map { "\($0): 0.5" }.joined(separator: ", ") + " }`"], path: "\(p).correlation")
            return nil
        }
        var perSplit: [String: CanonicalValue] = [:]
        if let entries = correlation.entries {
            for e in entries {
                guard info.splits.contains(e.key) else {
                    var help = ["`\(info.name)` has splits: " + info.splits.joined(separator: ", ")]
                    if let s = EditDistance.suggestion(for: e.key, among: info.splits) { help.insert("did you mean `\(s)`?", at: 0) }
                    error("unknown-split", "`\(info.name)` has no split `\(e.key)`", e.keySpan, help: help, path: "\(p).correlation.\(e.key)")
                    return nil
                }
                guard let c = checkValue(e.value, ParameterSchema("correlation", .double, min: 0, max: 1, doc: "P(attribute = label)."), path: "\(p).correlation.\(e.key)", slot: "", context: &ctx) else { return nil }
                perSplit[e.key] = c
            }
            let missing = info.splits.filter { perSplit[$0] == nil }
            if !missing.isEmpty {
                error("missing-field", "`correlation:` gives no value for split" + (missing.count > 1 ? "s " : " ") + missing.map { "`\($0)`" }.joined(separator: ", "), correlation.span,
                      help: ["give every split a correlation: " + info.splits.joined(separator: ", ")], path: "\(p).correlation")
                return nil
            }
        } else {
            guard let c = checkValue(correlation, ParameterSchema("correlation", .double, min: 0, max: 1, doc: "P(attribute = label)."), path: "\(p).correlation", slot: "", context: &ctx) else { return nil }
            for s in info.splits { perSplit[s] = c }
        }
        let channels = kind.key == "tint" ? 3 : info.sampleShape[0]
        return (.map(["kind": .string(kind.key), "name": .string(name), "size": size, "correlation": .map(perSplit)]), name, channels)
    }
}
