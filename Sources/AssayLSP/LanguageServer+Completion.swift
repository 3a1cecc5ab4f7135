import AssayLanguage
import AssaySupport

/// `textDocument/completion`: fields from the registry, declared names where a reference goes,
/// enumeration values, layer kinds, units with their channel range, parameters after `$`.
extension LanguageServer {
    private enum ItemKind: Int { case function = 3, field = 5, variable = 6, `class` = 7, module = 9, value = 12, keyword = 14, reference = 18, enumMember = 20 }

    func completion(_ params: JSONObject) -> Any? {
        guard let (document, offset) = target(params) else { return nil }
        let context = CursorContext(lines: document.lines, offset: offset)
        let analysis = analysis(for: document.path)
        let items = candidates(context, analysis: analysis)
        let start = document.lines.position(ofOffset: context.wordStart, encoding: encoding)
        let end = document.lines.position(ofOffset: offset, encoding: encoding)
        let range: JSONObject = ["start": ["line": start.line, "character": start.character], "end": ["line": end.line, "character": end.character]]
        var seen = Set<String>()
        let list: [JSONObject] = items.filter { seen.insert($0.label).inserted }.map { item in
            var out: JSONObject = ["label": item.label, "kind": item.kind.rawValue, "textEdit": ["range": range, "newText": item.insert ?? item.label]]
            if let detail = item.detail { out["detail"] = detail }
            if let doc = item.documentation, !doc.isEmpty { out["documentation"] = ["kind": "markdown", "value": doc] }
            return out
        }
        return ["isIncomplete": false, "items": list]
    }

    private struct Item {
        var label: String
        var kind: ItemKind
        var detail: String?
        var documentation: String?
        var insert: String?
    }

    private func candidates(_ context: CursorContext, analysis: Analysis?) -> [Item] {
        let symbols = analysis?.document.symbols ?? SymbolIndex()
        if context.prefix.hasPrefix("$") || context.place == .value && context.word.hasPrefix("$") {
            let values = analysis.flatMap { lastClean[$0.root]?.parameters } ?? [:]
            return symbols.names(.parameter).map { Item(label: "$" + $0, kind: .variable, detail: values[$0].map { "= \($0.canonicalString)" }) }
        }
        guard let section = context.section else {
            // The top level.
            guard context.place == .key else { return [] }
            return ["assay", "name", "description", "include", "executor", "resources", "sweep", "params", "datasets", "groups", "models", "attacks", "segmentation", "stages"]
                .map { Item(label: $0, kind: .module, insert: $0 + ": ") }
        }
        if section == "models", context.path.count >= 2, context.path.count <= 3 {
            return LayerKind.allCases.map { Item(label: $0.rawValue, kind: .class, detail: "layer") }
        }
        if section == "executor" || section == "resources" {
            let schema = section == "executor" ? registry.executor : registry.resources
            if context.place == .key, context.path.count == 1 { return fieldItems(schema) }
            if context.place == .value, context.path.count == 2, let field = schema.first(where: { $0.name == context.path[1] }) {
                return valueItems(field.type, context: context, analysis: analysis)
            }
            return []
        }
        if section == "sweep", context.place == .value { return ["grid", "zip"].map { Item(label: $0, kind: .enumMember) } }
        guard context.path.count >= 2 else { return [] }
        if context.place == .key {
            return fieldItems(EditorSchema.fields(section: section, keys: context.keys, registry: registry) ?? [])
        }
        if section == "datasets", context.keys == ["from"] {
            return symbols.names(.dataset).filter { $0 != context.entry }.map { Item(label: $0, kind: .reference, detail: "data set") }
        }
        if section == "groups" || section == "segmentation", context.keys == ["data"] {
            return symbols.names(.dataset).map { Item(label: $0, kind: .reference, detail: "data set") }
        }
        guard let field = EditorSchema.field(section: section, keys: context.keys, registry: registry) else { return [] }
        return valueItems(field.type, context: context, analysis: analysis)
    }

    private func fieldItems(_ schema: [ParameterSchema]) -> [Item] {
        schema.map { field in
            var detail = field.type.description
            if field.required { detail += " (required)" }
            return Item(label: field.name, kind: .field, detail: detail, documentation: field.doc, insert: field.name + ": ")
        }
    }

    private func valueItems(_ type: ParameterType, context: CursorContext, analysis: Analysis?) -> [Item] {
        let symbols = analysis?.document.symbols ?? SymbolIndex()
        let experiment = analysis.flatMap { lastClean[$0.root] }
        switch type {
        case .enumeration(let values): return values.map { Item(label: $0, kind: .enumMember) }
        case .bool: return ["true", "false"].map { Item(label: $0, kind: .keyword) }
        case .list(let element): return valueItems(element, context: context, analysis: analysis)
        case .variant(let alternatives): return alternatives.keys.sorted().map { Item(label: $0, kind: .enumMember) }
        case .declaration(let kind):
            let symbolKind: SymbolKind = kind == .model ? .model : kind == .attack ? .attack : .target
            return symbols.names(symbolKind).map { Item(label: $0, kind: .reference, detail: kind.rawValue) }
        case .reference(let artifact, _):
            switch artifact {
            case .dataset:
                return datasetSplits(symbols: symbols, experiment: experiment).map { Item(label: $0, kind: .reference, detail: "split") }
            case .datasetSplits: return symbols.names(.dataset).map { Item(label: $0, kind: .reference, detail: "data set") }
            case .groups: return symbols.names(.group).map { Item(label: $0, kind: .reference, detail: "groups") }
            default:
                return symbols.names(.stage).filter { name in
                    guard name != context.entry else { return false }
                    guard let stage = experiment?.stage(name) else { return true }
                    return stage.outputs.values.contains(artifact)
                }.map { Item(label: $0, kind: .function, detail: "stage (\(experiment?.stage($0)?.operatorName ?? artifact.rawValue))") }
            }
        case .unit:
            guard let stage = context.entry, let analysis, let layers = unitLayers(stage: stage, analysis: analysis) else { return [] }
            if let open = context.prefix.firstIndex(of: "["), let layer = layers.first(where: { $0.name == String(context.prefix[..<open]) }) {
                return (0..<min(layer.channels, 1024)).map { Item(label: "\(layer.name)[\($0)]", kind: .value, detail: "channel \($0) of \(layer.channels)") }
            }
            return layers.map { Item(label: "\($0.name)[", kind: .value, detail: "channels 0...\($0.channels - 1)", insert: "\($0.name)[") }
        default:
            return []
        }
    }

    /// `name.split` for every data set: splits from the last clean check, else the declared ones.
    private func datasetSplits(symbols: SymbolIndex, experiment: CheckedExperiment?) -> [String] {
        var out: [String] = []
        for name in symbols.names(.dataset) {
            var splits = Set(symbols.names(.split).filter { $0.hasPrefix(name + ".") }.map { String($0.dropFirst(name.count + 1)) })
            for stage in experiment?.stages ?? [] where stage.id == "datasets.\(name)" || stage.id.hasPrefix("datasets.\(name).") {
                for (output, type) in stage.outputs where type == .dataset { splits.insert(output) }
            }
            out += splits.sorted().map { "\(name).\($0)" }
        }
        return out
    }
}
