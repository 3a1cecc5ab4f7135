import AssayLanguage
import AssaySupport

/// `textDocument/codeAction`: quick fixes for the diagnostics under the cursor — the checker's
/// "did you mean" suggestion, a missing required field, a missing `assay: 1`.
extension LanguageServer {
    func codeActions(_ params: JSONObject) -> Any? {
        guard let uri = params.object("textDocument")?.string("uri"), let path = TextDocument.path(fromURI: uri),
              let range = params.object("range"), let from = LSPPosition(range.object("start")), let to = LSPPosition(range.object("end")) else { return nil }
        let file = DocumentAnalysis.canonicalPath(path)
        let table = lineTable(file)
        let start = table.offset(line: from.line, character: from.character, encoding: encoding)
        let end = table.offset(line: to.line, character: to.character, encoding: encoding)
        var actions: [JSONObject] = []
        for d in diagnostics(for: file) {
            let span = d.span ?? .startOf(file)
            guard span.start.offset <= end, start <= span.end.offset else { continue }
            let diagnostic = DiagnosticConversion.json(d, range: self.range(span, in: table), location: location)
            for (title, edit) in fixes(for: d, span: span, table: table, file: file) {
                actions.append([
                    "title": title, "kind": "quickfix", "diagnostics": [diagnostic], "isPreferred": actions.isEmpty,
                    "edit": ["changes": [uri: [edit]]],
                ])
            }
        }
        return actions
    }

    private func fixes(for d: Diagnostic, span: SourceSpan, table: LineTable, file: String) -> [(String, JSONObject)] {
        var out: [(String, JSONObject)] = []
        for help in d.help {
            guard help.hasPrefix("did you mean `"), let close = help.dropFirst(14).firstIndex(of: "`") else { continue }
            let replacement = String(help.dropFirst(14)[..<close])
            out.append(("Replace with `\(replacement)`", ["range": range(span, in: table), "newText": replacement]))
        }
        if d.id.rawValue == "missing-version" {
            let origin = SourceSpan.startOf(span.file)
            out.append(("Add `assay: 1`", ["range": range(origin, in: table), "newText": "assay: 1\n"]))
        }
        if d.id.rawValue == "missing-field", d.message.hasPrefix("missing required field `"),
           let name = d.path?.split(separator: ".").last.map(String.init) {
            let bytes = table.bytes
            let at = span.start.offset
            // Where the field goes, read from the text: the diagnostic's data path leaves out the operator's name.
            let isFlow = at < bytes.count && bytes[at] == UInt8(ascii: "{")
            let context = CursorContext(lines: table, offset: isFlow ? at + 1 : at)
            let value = placeholder(section: context.section ?? "", keys: context.keys + [name], entry: context.entry ?? "", file: file)
            let insertion: String
            if isFlow {
                var next = at + 1
                while next < bytes.count, bytes[next] == UInt8(ascii: " ") { next += 1 }
                let empty = next < bytes.count && bytes[next] == UInt8(ascii: "}")
                insertion = " \(name): \(value)" + (empty ? " " : ",")
                let point = SourceSpan(file: span.file, start: SourceLocation(line: span.start.line, column: span.start.column + 1, offset: at + 1),
                                       end: SourceLocation(line: span.start.line, column: span.start.column + 1, offset: at + 1))
                out.append(("Add `\(name)`", ["range": range(point, in: table), "newText": insertion]))
            } else {
                let point = SourceSpan(file: span.file, start: span.start, end: span.start)
                insertion = "\(name): \(value)\n" + String(repeating: " ", count: max(0, span.start.column - 1))
                out.append(("Add `\(name)`", ["range": range(point, in: table), "newText": insertion]))
            }
        }
        return out
    }

    /// A value that fits a missing field: a declared name of the right kind, the first enumeration value, a default.
    private func placeholder(section: String, keys: [String], entry: String, file: String) -> String {
        guard let field = EditorSchema.field(section: section, keys: keys, registry: registry) else { return "\"\"" }
        let symbols = analysis(for: file)?.document.symbols ?? SymbolIndex()
        switch field.type {
        case .reference(.dataset, _): return symbols.names(.dataset).first.map { "\($0).train" } ?? "\"\""
        case .reference(.datasetSplits, _): return symbols.names(.dataset).first ?? "\"\""
        case .reference(.groups, _): return symbols.names(.group).first ?? "\"\""
        case .reference: return symbols.names(.stage).first { $0 != entry } ?? "\"\""
        case .declaration(.model): return symbols.names(.model).first ?? "\"\""
        case .declaration(.attack): return symbols.names(.attack).first ?? "\"\""
        case .declaration(.segmentationTarget): return symbols.names(.target).first ?? "\"\""
        case .enumeration(let values): return values.first ?? "\"\""
        case .int: return field.minimum.map { String(Int($0)) } ?? "1"
        case .double: return "1.0"
        case .bool: return "false"
        case .unit: return "layer[0]"
        case .record, .variant: return "{}"
        case .list: return "[]"
        default: return field.defaultValue?.canonicalString ?? "\"\""
        }
    }
}
