/// Renders diagnostics as text (for terminals) or JSON (for editors).
///
/// Text follows the Rust/Swift style:
/// ```
/// error[unknown-dataset]: unknown dataset `fmnst`
///   --> experiments/robustness.yaml:14:11
///    |
/// 13 |     model: small-cnn
/// 14 |     data: fmnst.train
///    |           ^^^^^ not declared under `datasets:`
///    |
///    = help: did you mean `fmnist`?
///    = path: stages.erm.data
/// ```
public struct DiagnosticRenderer {
    /// The files spans may point into, by path.
    public var sources: [String: SourceFile]

    public init(sources: [SourceFile]) {
        var byPath: [String: SourceFile] = [:]
        for file in sources { byPath[file.path] = file }
        self.sources = byPath
    }

    /// All diagnostics as text, separated by blank lines.
    public func renderText(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(renderText).joined(separator: "\n")
    }

    public func renderText(_ d: Diagnostic) -> String {
        var lines: [String] = ["\(d.severity.rawValue)[\(d.id.rawValue)]: \(d.message)"]
        var gutter = 1
        var body: [String] = []
        if let span = d.span {
            let file = sources[span.file]
            let firstLine = span.start.line
            let previous = firstLine - 1
            let showPrevious = previous >= 1 && file.map { !$0.line(previous).trimmingSpaces.isEmpty } == true
            gutter = String(firstLine).count
            let pad = String(repeating: " ", count: gutter)
            lines.append("\(pad)--> \(span.file):\(span.start.line):\(span.start.column)")
            if let file, firstLine <= file.lineCount {
                body.append("\(pad) |")
                if showPrevious { body.append("\(rightAligned(previous, gutter)) | \(file.line(previous))") }
                let text = file.line(firstLine)
                body.append("\(rightAligned(firstLine, gutter)) | \(text)")
                let lineLength = text.unicodeScalars.count
                let startColumn = max(1, span.start.column)
                let endColumn = span.end.line == span.start.line ? span.end.column : lineLength + 1
                let width = max(1, min(endColumn, lineLength + 1) - startColumn)
                let caretLine = String(repeating: " ", count: startColumn - 1) + String(repeating: "^", count: width)
                body.append("\(pad) | \(caretLine)" + (d.label.map { " \($0)" } ?? ""))
                body.append("\(pad) |")
            } else {
                body.append("\(pad) |")
            }
        }
        let pad = String(repeating: " ", count: gutter)
        lines.append(contentsOf: body)
        for note in d.notes {
            if let span = note.span {
                lines.append("\(pad) = note: \(note.message) (\(span.file):\(span.start.line):\(span.start.column))")
            } else {
                lines.append("\(pad) = note: \(note.message)")
            }
        }
        for help in d.help { lines.append("\(pad) = help: \(help)") }
        if let path = d.path, !path.isEmpty { lines.append("\(pad) = path: \(path)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// All diagnostics as one canonical JSON document: `{"diagnostics": [...]}`.
    ///
    /// Each diagnostic has `severity`, `id`, `message`, `file`, `start`/`end`
    /// (`{line, column, offset}`), `label`, `notes`, `help`, `path`.
    public func renderJSON(_ diagnostics: [Diagnostic]) -> String {
        let list = diagnostics.map { d -> CanonicalValue in
            var entry: [String: CanonicalValue] = [
                "severity": .string(d.severity.rawValue),
                "id": .string(d.id.rawValue),
                "message": .string(d.message),
                "help": .list(d.help.map { .string($0) }),
                "notes": .list(d.notes.map { note in
                    var n: [String: CanonicalValue] = ["message": .string(note.message)]
                    if let span = note.span { n.merge(Self.spanFields(span)) { a, _ in a } }
                    return .map(n)
                }),
            ]
            if let span = d.span { entry.merge(Self.spanFields(span)) { a, _ in a } }
            if let label = d.label { entry["label"] = .string(label) }
            if let path = d.path { entry["path"] = .string(path) }
            return .map(entry)
        }
        return CanonicalValue.map(["diagnostics": .list(list)]).canonicalString
    }

    private static func spanFields(_ span: SourceSpan) -> [String: CanonicalValue] {
        func location(_ l: SourceLocation) -> CanonicalValue {
            .map(["line": .int(l.line), "column": .int(l.column), "offset": .int(l.offset)])
        }
        return ["file": .string(span.file), "start": location(span.start), "end": location(span.end)]
    }

    private func rightAligned(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }
}

extension String {
    var trimmingSpaces: Substring {
        drop { $0 == " " || $0 == "\t" }
    }
}
