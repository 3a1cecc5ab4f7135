import AssaySupport

/// The checker's diagnostics in the protocol's shape: the same ID as `code`, the span as the range,
/// the label and help in the message text, notes with a place as related information.
enum DiagnosticConversion {
    static func json(_ d: Diagnostic, range: JSONObject, location: (SourceSpan) -> JSONObject?) -> JSONObject {
        var message = d.message
        if let label = d.label, !label.isEmpty { message += " (\(label))" }
        for note in d.notes where note.span == nil { message += "\nnote: \(note.message)" }
        for help in d.help { message += "\nhelp: \(help)" }
        var out: JSONObject = [
            "range": range,
            "severity": d.severity == .error ? 1 : d.severity == .warning ? 2 : 3,
            "code": d.id.rawValue,
            "source": "assay",
            "message": message,
        ]
        let related: [JSONObject] = d.notes.compactMap { note in
            guard let span = note.span, let loc = location(span) else { return nil }
            return ["location": loc, "message": note.message]
        }
        if !related.isEmpty { out["relatedInformation"] = related }
        if let path = d.path { out["data"] = ["path": path] }
        return out
    }
}
