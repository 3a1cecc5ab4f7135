import AssayLanguage
import AssaySupport

/// Go to definition, find references and the outline, from the symbol index of the file's root.
extension LanguageServer {
    /// The symbol under the cursor of a `TextDocumentPositionParams`.
    private func symbol(_ params: JSONObject) -> (analysis: Analysis, kind: SymbolKind, name: String)? {
        guard let (document, offset) = target(params), let analysis = analysis(for: document.path),
              let symbol = analysis.document.symbols.symbol(inFile: spelling(of: document.path, in: analysis), atOffset: offset) else { return nil }
        return (analysis, symbol.kind, symbol.name)
    }

    func definition(_ params: JSONObject) -> Any? {
        guard let (analysis, kind, name) = symbol(params), let declaration = analysis.document.symbols.definition(kind, name) else { return nil }
        return location(declaration.span)
    }

    func references(_ params: JSONObject) -> Any? {
        guard let (analysis, kind, name) = symbol(params) else { return nil }
        let symbols = analysis.document.symbols
        var spans = symbols.references(to: kind, name).map(\.span)
        // A data set's uses include its splits' (`bordered` in `bordered.train` is recorded as both).
        let includeDeclaration = (params.object("context")?["includeDeclaration"] as? Bool) ?? true
        if includeDeclaration, let declaration = symbols.declaration(kind, name) { spans.insert(declaration.span, at: 0) }
        return spans.compactMap { location($0) }
    }

    /// `textDocument/documentSymbol`: sections, their entries, and named layers and splits inside them.
    func documentSymbols(_ params: JSONObject) -> Any? {
        guard let uri = params.object("textDocument")?.string("uri"), let path = TextDocument.path(fromURI: uri) else { return nil }
        let file = DocumentAnalysis.canonicalPath(path)
        guard let analysis = analysis(for: file) else { return [] as [Any] }
        let spelled = spelling(of: file, in: analysis)
        let table = lineTable(file)
        let declarations = analysis.document.symbols.declarations.filter { $0.span.file == spelled }
        func symbol(_ d: SymbolDeclaration, children: [JSONObject]) -> JSONObject {
            let shortName = d.kind == .split || d.kind == .layer ? String(d.name.split(separator: ".", maxSplits: 1).last ?? "") : d.name
            var out: JSONObject = [
                "name": shortName, "detail": d.kind.rawValue, "kind": Self.symbolKind(d.kind),
                "range": range(d.extent, in: table), "selectionRange": range(d.span, in: table),
            ]
            if !children.isEmpty { out["children"] = children }
            return out
        }
        var sections: [JSONObject] = []
        for kind in [SymbolKind.parameter, .dataset, .group, .target, .model, .attack, .stage] {
            let entries = declarations.filter { $0.kind == kind }
            guard let first = entries.first, let last = entries.last else { continue }
            let children: [JSONObject] = entries.map { entry in
                let inner = declarations.filter {
                    ($0.kind == .split && kind == .dataset || $0.kind == .layer && kind == .model) && $0.name.hasPrefix(entry.name + ".")
                }
                return symbol(entry, children: inner.map { symbol($0, children: []) })
            }
            let extent = SourceSpan(file: spelled, start: first.extent.start, end: last.extent.end)
            sections.append([
                "name": kind.section, "kind": 2, "range": range(extent, in: table), "selectionRange": range(first.span, in: table), "children": children,
            ])
        }
        return sections
    }

    /// The protocol's SymbolKind numbers.
    static func symbolKind(_ kind: SymbolKind) -> Int {
        switch kind {
        case .parameter: return 14  // Constant
        case .dataset, .split: return 18  // Array
        case .group: return 10  // Enum
        case .model: return 5  // Class
        case .layer: return 8  // Field
        case .attack, .target: return 23  // Struct
        case .stage: return 12  // Function
        }
    }
}
