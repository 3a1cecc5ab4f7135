import AssayLanguage
import AssaySupport
import Foundation

/// `textDocument/hover`: what the checker knows about the name or field under the cursor.
extension LanguageServer {
    func hover(_ params: JSONObject) -> JSONObject? {
        guard let (document, offset) = target(params), let analysis = analysis(for: document.path) else { return nil }
        let context = CursorContext(lines: document.lines, offset: offset)
        let file = spelling(of: document.path, in: analysis)
        var text: String?
        var span: (Int, Int) = (context.wordStart, context.wordEnd)
        if let symbol = analysis.document.symbols.symbol(inFile: file, atOffset: offset) {
            text = describe(symbol.kind, symbol.name, analysis: analysis, isReference: analysis.document.symbols.declaration(symbol.kind, symbol.name)?.span != symbol.span)
            span = (symbol.span.start.offset, symbol.span.end.offset)
        }
        if text == nil, context.section == "models", context.path.count == 2, let index = context.itemIndex, let modelName = context.entry,
           let spec = model(modelName, analysis), index < spec.layers.count {
            text = describe(layer: spec.layers[index], in: spec, stale: isStale(analysis))
        }
        if text == nil, context.place == .key, !context.word.isEmpty, let section = context.section, context.path.count >= 2 {
            text = describe(field: context.word, section: section, keys: context.keys)
        }
        if text == nil, context.place == .key, context.path.count == 1, let section = context.section, section == "executor" || section == "resources",
           let schema = (section == "executor" ? registry.executor : registry.resources).first(where: { $0.name == context.word }) {
            text = describe(schema)
        }
        if text == nil, context.place == .value, context.word.hasSuffix("]"), let (layer, channel) = Self.unit(context.word),
           let stage = context.entry, let layers = unitLayers(stage: stage, analysis: analysis),
           let found = layers.first(where: { $0.name == layer }) {
            text = "unit `\(layer)[\(channel)]`: channel \(channel) of \(found.channels) (0...\(found.channels - 1)) of layer `\(layer)`, output \(ModelSummary.grouped(found.channels)) channels"
        }
        guard let text else { return nil }
        let start = document.lines.position(ofOffset: span.0, encoding: encoding)
        let end = document.lines.position(ofOffset: span.1, encoding: encoding)
        return [
            "contents": ["kind": "markdown", "value": text],
            "range": ["start": ["line": start.line, "character": start.character], "end": ["line": end.line, "character": end.character]],
        ]
    }

    /// How the analysis spells a canonical path (spans keep the spelling the loader used).
    func spelling(of file: String, in analysis: Analysis) -> String {
        analysis.canonical.first { $0.value == file }?.key ?? file
    }

    func isStale(_ analysis: Analysis) -> Bool { analysis.document.result.experiments.isEmpty }

    /// A model resolved by the checker (from the last clean check while the file has errors).
    func model(_ name: String, _ analysis: Analysis) -> ModelSpec? { lastClean[analysis.root]?.models[name] }

    private func describe(_ kind: SymbolKind, _ name: String, analysis: Analysis, isReference: Bool) -> String? {
        let symbols = analysis.document.symbols
        let experiment = lastClean[analysis.root]
        let staleNote = isStale(analysis) && experiment != nil ? "\n\n_(from the last check without errors)_" : ""
        var lines: [String] = []
        switch kind {
        case .stage:
            guard let stage = experiment?.stage(name) else {
                lines.append("**stage `\(name)`**")
                break
            }
            let signature = registry.signature(stage.operatorName)
            lines.append("**stage `\(name)`** — `\(stage.operatorName)` (version \(stage.operatorVersion))")
            if let doc = signature?.doc { lines.append(doc) }
            lines.append("outputs: " + stage.outputs.keys.sorted().map { "`\($0)` (\(stage.outputs[$0]!.rawValue))" }.joined(separator: ", "))
            if isStale(analysis) {
                lines.append("cache: unknown until the file checks without errors")
            } else if let status = StageCacheStatus.look(up: experiment!, root: analysis.root) {
                let entry = status.entries[name]
                lines.append("key: " + (entry?.key.map { "`\($0.prefix(16))…`" } ?? "known once its inputs are cached"))
                lines.append(entry?.cached == true ? "**cached** in `\(status.store)`" : "not cached in `\(status.store)` (would run)")
                if let metrics = entry?.metrics, !metrics.isEmpty {
                    lines.append("last metrics: " + metrics.keys.sorted().map { "\($0) \(Self.number(metrics[$0]!))" }.joined(separator: ", "))
                }
            } else {
                lines.append("cache: no store yet beside the file (run it once to create `.assay/`)")
            }
        case .model:
            guard let spec = experiment?.models[name] else {
                lines.append("**model `\(name)`**")
                break
            }
            lines.append("**model `\(name)`** — \(spec.architecture), \(spec.task.rawValue): input \(ModelSummary.shape(spec.inputShape)) → output \(ModelSummary.shape(spec.outputShape))")
            lines.append("\(spec.layers.count) layers, **\(ModelSummary.grouped(spec.parameterCount)) trainable parameters**")
            lines.append("```\n" + ModelSummary.table(spec) + "```")
        case .layer:
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let spec = experiment?.models[parts[0]], let layer = spec.layer(named: parts[1]) else {
                lines.append("**layer `\(name)`**")
                break
            }
            lines.append(describe(layer: layer, in: spec, stale: false))
        case .dataset:
            lines.append("**data set `\(name)`**")
            if let stage = experiment?.stage("datasets.\(name)") {
                let splits = experiment!.stages.filter { $0.id == "datasets.\(name)" || $0.id.hasPrefix("datasets.\(name).") }
                    .flatMap { $0.outputs.filter { $0.value == .dataset }.keys }
                lines.append("`\(stage.operatorName)`; splits: " + Array(Set(splits)).sorted().map { "`\($0)`" }.joined(separator: ", "))
            }
            if let base = symbols.derivedFrom[name] { lines.append("derived from `\(base)`") }
        case .split:
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            lines.append("**split `\(parts.last ?? name)`** of data set `\(parts.first ?? name)`")
        case .parameter:
            lines.append("**parameter `$\(name)`**")
            if let value = experiment?.parameters[name] { lines.append("value: `\(value.canonicalString)`") }
        case .group: lines.append("**groups `\(name)`**")
        case .attack: lines.append("**attack `\(name)`**")
        case .target: lines.append("**segmentation target `\(name)`**")
        }
        if let declaration = symbols.definition(kind, name) {
            let where_ = "\(displayPath(declaration.span.file, root: analysis.root)):\(declaration.span.start.line)"
            let source = lineTable(DocumentAnalysis.canonicalPath(declaration.span.file))
            let line = declaration.span.start.line - 1
            let text = line < source.lineStarts.count
                ? String(decoding: source.bytes[source.lineStarts[line]..<source.lineEnd(line)], as: UTF8.self).trimmingCharacters(in: .whitespaces) : ""
            lines.append((isReference ? "→ declared at `" : "declared at `") + where_ + "`" + (text.isEmpty ? "" : ":\n```yaml\n\(text)\n```"))
        } else if isReference {
            lines.append("not declared")
        }
        let uses = symbols.references(to: kind, name).count
        if !isReference, uses > 0 { lines.append("\(uses) reference\(uses == 1 ? "" : "s")") }
        return lines.joined(separator: "\n\n") + staleNote
    }

    func describe(layer: LayerSpec, in spec: ModelSpec, stale: Bool) -> String {
        var text = "**layer `\(layer.name)`** (`\(layer.kind.rawValue)`) of model `\(spec.name)`: input \(ModelSummary.shape(layer.inputShape)) → **output \(ModelSummary.shape(layer.outputShape))**, \(ModelSummary.grouped(layer.parameterCount)) parameters"
        if layer.path != layer.name { text += "\n\nmodule path `\(layer.path)`" }
        if stale { text += "\n\n_(from the last check without errors)_" }
        return text
    }

    private func describe(field: String, section: String, keys: [String]) -> String? {
        if section == "stages", keys.isEmpty, let signature = registry.signature(field), !signature.isImplicit {
            let outputs = signature.outputs.map { "`\($0.name)` (\($0.type.rawValue))" }.joined(separator: ", ")
            return "**`\(field)`** (version \(signature.version))\n\n\(signature.doc)\n\noutputs: \(outputs)"
        }
        guard let schema = EditorSchema.field(section: section, keys: keys + [field], registry: registry) else { return nil }
        return describe(schema)
    }

    /// A field's type, default, range and documentation.
    private func describe(_ schema: ParameterSchema) -> String {
        let field = schema.name
        var facts = [schema.type.description]
        if schema.required { facts.append("required") }
        if let d = schema.defaultValue { facts.append("default `\(d.canonicalString)`") }
        if let r = schema.rangeDescription { facts.append("range \(r)") }
        return "**`\(field)`** — " + facts.joined(separator: ", ") + (schema.doc.isEmpty ? "" : "\n\n\(schema.doc)")
    }

    /// `conv2[5]` → (`conv2`, 5).
    static func unit(_ text: String) -> (String, Int)? {
        guard let open = text.lastIndex(of: "["), text.hasSuffix("]"),
              let channel = Int(text[text.index(after: open)..<text.index(before: text.endIndex)]) else { return nil }
        return (String(text[..<open]), channel)
    }

    /// The layers (name, output channels) of the model a stage or attack reads, from the last clean check.
    func unitLayers(stage: String, analysis: Analysis) -> [(name: String, channels: Int)]? {
        guard let experiment = lastClean[analysis.root] else { return nil }
        let instance = experiment.stage(stage)
        guard let producer = instance?.inputs["model"]?.stage ?? instance?.inputs["attack.model"]?.stage,
              let layers = experiment.stage(producer)?.parameters["model"]?["layers"]?.listValue else { return nil }
        var out: [(String, Int)] = []
        func walk(_ list: [CanonicalValue]) {
            for layer in list {
                if let name = layer["name"]?.stringValue, let channels = layer["output"]?.intList?.first { out.append((name, channels)) }
                if let path = layer["path"]?.stringValue, path != layer["name"]?.stringValue, let channels = layer["output"]?.intList?.first { out.append((path, channels)) }
                walk(layer["children"]?.listValue ?? [])
            }
        }
        walk(layers)
        return out
    }

    /// A path relative to the root file's folder when below it.
    func displayPath(_ path: String, root: String) -> String {
        let folder = (root as NSString).deletingLastPathComponent + "/"
        let canonical = DocumentAnalysis.canonicalPath(path)
        return canonical.hasPrefix(folder) ? String(canonical.dropFirst(folder.count)) : canonical
    }

    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(format: "%.4g", d)
    }
}
