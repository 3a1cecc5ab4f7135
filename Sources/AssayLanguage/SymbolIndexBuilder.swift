import AssaySupport
import AssaySyntax

/// Builds a ``SymbolIndex`` from the spanned YAML of a loaded experiment, guided by the registry's
/// parameter types (a `.reference(.dataset)` field holds `DATASET.SPLIT`, a `.declaration(.model)`
/// field a model's name...). It reads the same entries as the checker but never reports problems:
/// it indexes whatever is there, also in files that do not check.
struct SymbolIndexBuilder {
    let registry: OperatorRegistry
    var index = SymbolIndex()

    static func build(_ loaded: LoadedExperiment, registry: OperatorRegistry) -> SymbolIndex {
        var builder = SymbolIndexBuilder(registry: registry)
        for section in LoadedExperiment.sectionNames {
            for entry in loaded.entries(section) { builder.add(entry, section: section) }
        }
        for pair in loaded.settings.values { builder.parameterReferences(in: pair.value) }
        return builder.index
    }

    private mutating func add(_ entry: SectionEntry, section: String) {
        if let kind = SymbolKind.declared(inSection: section) {
            index.declarations.append(SymbolDeclaration(kind: kind, name: entry.name, span: entry.keySpan, extent: Self.extent(entry.keySpan, entry.node.span)))
        }
        parameterReferences(in: entry.node)
        let node = entry.node
        switch section {
        case "datasets":
            for pair in node.pairs ?? [] {
                let key = pair.key.scalar ?? ""
                if key == "from", let base = pair.value.scalar {
                    reference(.dataset, base, pair.value)
                    index.derivedFrom[entry.name] = base
                } else if key == "split" {
                    for split in pair.value.pairs ?? [] where split.key.scalar != "seed" {
                        let name = "\(entry.name).\(split.key.scalar ?? "")"
                        index.declarations.append(SymbolDeclaration(kind: .split, name: name, span: split.key.span, extent: Self.extent(split.key.span, split.value.span)))
                    }
                } else if let source = EditorSchema.datasetSources.first(where: { $0.field == key }), let op = source.operatorName,
                          let signature = registry.signature(op) {
                    walk(pair.value, .record(signature.parameters))
                }
            }
        case "groups", "segmentation":
            if let data = node["data"], let name = data.scalar { reference(.dataset, name, data) }
        case "attacks":
            walk(node, .record(registry.declarations["attack"] ?? []))
        case "models":
            layers(of: entry)
        case "stages":
            for pair in node.pairs ?? [] {
                guard let op = pair.key.scalar, let signature = registry.signature(op), !signature.isImplicit else { continue }
                if pair.value.scalar != nil, let shorthand = signature.shorthand, let field = signature.parameter(shorthand) {
                    walk(pair.value, field.type)
                } else {
                    walk(pair.value, .record(signature.parameters))
                }
            }
        default:
            break
        }
    }

    /// Named layers (`- fc1: linear 128`) and the layers others name (`unpool: pool2`, `with: [fire1]`).
    private mutating func layers(of entry: SectionEntry) {
        // A built-in architecture names its segmentation target: `{ segnet: { target: parts } }`.
        if let builtin = entry.node.pairs?.first?.value, let target = builtin["target"], let name = target.scalar, !name.hasPrefix("$") {
            reference(.target, name, target)
        }
        for item in entry.node.items ?? [] {
            guard let pairs = item.pairs, pairs.count == 1, let key = pairs[0].key.scalar else { continue }
            var kind = key
            var body = pairs[0].value
            if LayerKind(rawValue: key) == nil {
                index.declarations.append(SymbolDeclaration(kind: .layer, name: "\(entry.name).\(key)", span: pairs[0].key.span, extent: item.span))
                guard let inner = body.pairs, inner.count == 1, let innerKind = inner[0].key.scalar else {
                    if let word = body.scalar { kind = String(word.split(separator: " ").first ?? "") }
                    continue
                }
                kind = innerKind
                body = inner[0].value
            }
            if kind == "unpool", let of = body.scalar { reference(.layer, "\(entry.name).\(of)", body) }
            if let of = body["of"], let name = of.scalar { reference(.layer, "\(entry.name).\(name)", of) }
            if let with = body["with"] {
                for n in with.items ?? [with] { if let name = n.scalar { reference(.layer, "\(entry.name).\(name)", n) } }
            }
        }
    }

    /// Follows the registry's types through a value and records every name it refers to.
    private mutating func walk(_ node: YAMLNode, _ type: ParameterType) {
        switch type {
        case .reference(let artifact, _):
            for item in node.items ?? [node] {
                guard let text = item.scalar, !text.isEmpty, !text.hasPrefix("$") else { continue }
                switch artifact {
                case .dataset:
                    let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
                    reference(.dataset, parts[0], item, prefix: parts[0].utf8.count)
                    if parts.count == 2 {
                        reference(.split, text, item, from: parts[0].utf8.count + 1, length: parts[1].utf8.count)
                    }
                case .datasetSplits: reference(.dataset, text, item)
                case .groups: reference(.group, text, item)
                default: reference(.stage, text, item)
                }
            }
        case .declaration(let declaration):
            guard let text = node.scalar, !text.hasPrefix("$") else { return }
            switch declaration {
            case .model: reference(.model, text, node)
            case .attack: reference(.attack, text, node)
            case .segmentationTarget: reference(.target, text, node)
            }
        case .record(let fields):
            for pair in node.pairs ?? [] {
                if let field = fields.first(where: { $0.name == pair.key.scalar }) { walk(pair.value, field.type) }
            }
        case .variant(let alternatives):
            if let pairs = node.pairs, pairs.count == 1, let alternative = alternatives[pairs[0].key.scalar ?? ""] { walk(pairs[0].value, alternative) }
        case .list(let element):
            for item in node.items ?? [] { walk(item, element) }
        default:
            break
        }
    }

    /// `$name` (a whole plain scalar) and `${name}` inside strings, anywhere in a value.
    private mutating func parameterReferences(in node: YAMLNode) {
        var stack = [node]
        while let n = stack.popLast() {
            switch n.kind {
            case .sequence(let items): stack += items
            case .mapping(let pairs): stack += pairs.map(\.value)
            case .scalar(let s, let style):
                if style == .plain, s.hasPrefix("$"), !s.hasPrefix("${") {
                    reference(.parameter, String(s.dropFirst()), n, from: 1, length: s.utf8.count - 1)
                    continue
                }
                let bytes = Array(s.utf8)
                var i = 0
                while i + 1 < bytes.count {
                    guard bytes[i] == UInt8(ascii: "$"), bytes[i + 1] == UInt8(ascii: "{"),
                          let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else { i += 1; continue }
                    reference(.parameter, String(decoding: bytes[(i + 2)..<close], as: UTF8.self), n, from: i + 2, length: close - i - 2)
                    i = close + 1
                }
            }
        }
    }

    private mutating func reference(_ kind: SymbolKind, _ name: String, _ node: YAMLNode, prefix: Int? = nil) {
        reference(kind, name, node, from: 0, length: prefix ?? (node.scalar ?? name).utf8.count)
    }

    /// A reference to part of a scalar: `length` bytes from byte `from` of its text.
    private mutating func reference(_ kind: SymbolKind, _ name: String, _ node: YAMLNode, from: Int, length: Int) {
        index.references.append(SymbolReference(kind: kind, name: name, span: Self.part(of: node, from: from, length: length)))
    }

    /// The span of part of a one-line scalar; multi-line or escaped scalars give the whole node.
    static func part(of node: YAMLNode, from: Int, length: Int) -> SourceSpan {
        let span = node.span
        guard span.start.line == span.end.line, let text = node.scalar else { return span }
        let quote = (node.style == .singleQuoted || node.style == .doubleQuoted) ? 1 : 0
        let written = span.end.offset - span.start.offset - 2 * quote
        guard written == text.utf8.count, from + length <= text.utf8.count else { return span }
        let bytes = Array(text.utf8)
        func location(_ i: Int) -> SourceLocation {
            let scalars = String(decoding: bytes[0..<i], as: UTF8.self).unicodeScalars.count
            return SourceLocation(line: span.start.line, column: span.start.column + quote + scalars, offset: span.start.offset + quote + i)
        }
        return SourceSpan(file: span.file, start: location(from), end: location(from + length))
    }

    static func extent(_ key: SourceSpan, _ value: SourceSpan) -> SourceSpan {
        SourceSpan(file: key.file, start: key.start, end: value.file == key.file && value.end > key.end ? value.end : key.end)
    }
}
