import AssayLanguage
import AssaySupport
import Foundation

/// `assay lsp`: a Language Server Protocol server for experiment files.
///
/// Messages are handled one at a time on the caller's thread, in arrival order. Every open
/// buffer is checked with the checker itself (unsaved buffers of included files are read in
/// place of the files on disk), so editors show exactly what `assay check` would say. A file
/// that another open file includes is checked through that file, not on its own (an included
/// file has no `assay: 1` and would not check alone).
///
/// The server never prints: it writes framed messages through the `send` channel its owner
/// (the CLI) provides.
public final class LanguageServer {
    public typealias Send = (Data) -> Void

    let registry: OperatorRegistry
    private let send: Send
    var encoding: PositionEncoding = .utf16
    private var initialized = false
    private var shutdownRequested = false
    /// Set by `exit`: 0 after `shutdown`, 1 otherwise (the protocol's rule).
    public private(set) var exitCode: Int32?

    /// Open buffers by canonical path.
    var documents: [String: TextDocument] = [:]
    /// Checked roots by canonical path.
    var analyses: [String: Analysis] = [:]
    /// The last analysis of each root that checked clean: shapes and parameter counts stay
    /// available while the buffer is being edited into an error.
    var lastClean: [String: CheckedExperiment] = [:]
    /// What was last published per canonical file path.
    private var published: [String: [Diagnostic]] = [:]
    /// Files edited since their last check, checked when no further message is waiting or before a request is answered.
    private var pending: [String] = []
    private var deferChecks = false
    /// Seconds the last re-check took (checking every affected root and publishing).
    public private(set) var lastCheckSeconds: Double = 0

    /// One checked root: the analysis and the canonical paths of the files it read.
    struct Analysis {
        var root: String
        var document: DocumentAnalysis
        var files: Set<String>
        var canonical: [String: String]
    }

    public init(registry: OperatorRegistry = .standard, send: @escaping Send) {
        self.registry = registry
        self.send = send
    }

    /// Handles messages until `exit` or the end of the input; returns the process exit code.
    public func run(reader: MessageReader) -> Int32 {
        while exitCode == nil, let framed = reader.next() {
            // Edits that arrive in a burst (typing) are applied one by one but checked once.
            deferChecks = reader.hasBufferedMessage
            switch framed {
            case .message(let body): handle(body)
            case .badHeader(let header):
                notify("window/logMessage", ["type": 1, "message": "assay lsp: skipped a message without a valid Content-Length header: \(header.prefix(200))"])
            }
            if !reader.hasBufferedMessage { checkPending() }
        }
        return exitCode ?? 1
    }

    /// Handles one message body (JSON).
    public func handle(_ body: Data) {
        guard let any = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]), let message = any as? JSONObject else {
            respond(id: NSNull(), error: (-32700, "the message is not a JSON object"))
            return
        }
        let id = message["id"]
        guard let method = message.string("method") else { return }  // a response to a request of ours: none are sent
        let params = message.object("params") ?? [:]
        guard let id else {
            notification(method, params)
            return
        }
        guard id is String || id is Int || id is Double else {
            respond(id: NSNull(), error: (-32600, "a request id must be a number or a string"))
            return
        }
        checkPending()
        if method == "initialize" {
            respond(id: id, result: initialize(params))
            return
        }
        guard initialized else { respond(id: id, error: (-32002, "the server is not initialized")); return }
        guard !shutdownRequested else { respond(id: id, error: (-32600, "the server is shutting down")); return }
        switch method {
        case "shutdown":
            shutdownRequested = true
            respond(id: id, result: NSNull())
        case "textDocument/hover": respond(id: id, result: hover(params) ?? NSNull())
        case "textDocument/definition": respond(id: id, result: definition(params) ?? NSNull())
        case "textDocument/references": respond(id: id, result: references(params) ?? NSNull())
        case "textDocument/completion": respond(id: id, result: completion(params) ?? NSNull())
        case "textDocument/codeAction": respond(id: id, result: codeActions(params) ?? NSNull())
        case "textDocument/documentSymbol": respond(id: id, result: documentSymbols(params) ?? NSNull())
        default: respond(id: id, error: (-32601, "`\(method)` is not supported by assay lsp"))
        }
    }

    private func initialize(_ params: JSONObject) -> JSONObject {
        initialized = true
        let offered = params.object("capabilities")?.object("general")?.array("positionEncodings") as? [String] ?? []
        encoding = offered.contains("utf-8") ? .utf8 : .utf16
        return [
            "capabilities": [
                "positionEncoding": encoding.rawValue,
                "textDocumentSync": ["openClose": true, "change": 2, "save": ["includeText": false]],
                "hoverProvider": true,
                "definitionProvider": true,
                "referencesProvider": true,
                "completionProvider": ["triggerCharacters": ["$", "[", ".", ":", " "]],
                "codeActionProvider": ["codeActionKinds": ["quickfix"]],
                "documentSymbolProvider": true,
            ] as JSONObject,
            "serverInfo": ["name": "assay"],
        ]
    }

    private func notification(_ method: String, _ params: JSONObject) {
        if method == "exit" {
            exitCode = shutdownRequested ? 0 : 1
            return
        }
        guard initialized else { return }
        let textDocument = params.object("textDocument") ?? [:]
        guard let uri = textDocument.string("uri"), let path = TextDocument.path(fromURI: uri) else { return }
        let key = DocumentAnalysis.canonicalPath(path)
        switch method {
        case "textDocument/didOpen":
            documents[key] = TextDocument(uri: uri, path: key, version: textDocument.int("version") ?? 0, text: textDocument.string("text") ?? "")
            refresh(key)
        case "textDocument/didChange":
            guard var document = documents[key] else { return }
            for case let change as JSONObject in params.array("contentChanges") ?? [] {
                guard let text = change.string("text") else { continue }
                if let range = change.object("range") {
                    guard let start = LSPPosition(range.object("start")), let end = LSPPosition(range.object("end")) else { continue }
                    document.apply(text: text, range: ((start.line, start.character), (end.line, end.character)), encoding: encoding)
                } else {
                    document.apply(text: text, range: nil, encoding: encoding)
                }
            }
            document.version = textDocument.int("version") ?? document.version
            documents[key] = document
            refresh(key)
        case "textDocument/didSave":
            refresh(key)
        case "textDocument/didClose":
            documents[key] = nil
            analyses[key] = nil
            refresh(key)
        default:
            break
        }
    }

    // MARK: Checking

    /// Re-checks the roots a file belongs to (or the file itself as a root) and publishes what changed;
    /// deferred while more messages are waiting.
    func refresh(_ path: String) {
        if deferChecks {
            if !pending.contains(path) { pending.append(path) }
            return
        }
        pending.removeAll { $0 == path }
        check(path)
    }

    private func checkPending() {
        let paths = pending
        pending = []
        deferChecks = false
        for path in paths { check(path) }
    }

    private func check(_ path: String) {
        let started = DispatchTime.now().uptimeNanoseconds
        let includers = analyses.values.filter { $0.root != path && $0.files.contains(path) }.map(\.root)
        var roots = includers
        if roots.isEmpty, documents[path] != nil { roots = [path] }
        for root in roots { analyze(root) }
        // A root another root includes is covered by that one.
        for root in Array(analyses.keys) where analyses.values.contains(where: { $0.root != root && $0.files.contains(root) }) {
            analyses[root] = nil
        }
        publish()
        lastCheckSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }

    private func analyze(_ root: String) {
        let overlay = documents.mapValues(\.source)
        let document = DocumentAnalysis.analyze(path: root, overlay: overlay, registry: registry)
        var canonical: [String: String] = [:]
        for source in document.result.sources { canonical[source.path] = DocumentAnalysis.canonicalPath(source.path) }
        analyses[root] = Analysis(root: root, document: document, files: Set(canonical.values), canonical: canonical)
        if let experiment = document.result.experiments.first { lastClean[root] = experiment }
    }

    private func publish() {
        var byFile: [String: [Diagnostic]] = [:]
        for analysis in analyses.values {
            for file in analysis.files { byFile[file, default: []] += [] }
            for d in analysis.document.result.diagnostics {
                let file = d.span.map { analysis.canonical[$0.file] ?? DocumentAnalysis.canonicalPath($0.file) } ?? analysis.root
                byFile[file, default: []].append(d)
            }
        }
        for file in published.keys where byFile[file] == nil { byFile[file] = [] }
        for (file, list) in byFile.sorted(by: { $0.key < $1.key }) {
            // Published even when unchanged: a client waiting for the result of its edit sees it.
            let unique = list.sortedUnique()
            published[file] = unique.isEmpty ? nil : unique
            let table = lineTable(file)
            let items: [JSONObject] = unique.map { d in
                let range = d.span.map { self.range($0, in: table) } ?? ["start": ["line": 0, "character": 0], "end": ["line": 0, "character": 0]]
                return DiagnosticConversion.json(d, range: range, location: location)
            }
            var params: JSONObject = ["uri": uri(file), "diagnostics": items]
            if let version = documents[file]?.version { params["version"] = version }
            notify("textDocument/publishDiagnostics", params)
        }
    }

    /// The diagnostics currently shown for a file.
    func diagnostics(for file: String) -> [Diagnostic] { published[file] ?? [] }

    // MARK: Places

    /// The analysis a file belongs to: as a root, or included by one.
    func analysis(for file: String) -> Analysis? {
        analyses[file] ?? analyses.values.first { $0.files.contains(file) }
    }

    func uri(_ file: String) -> String { documents[file]?.uri ?? TextDocument.uri(fromPath: file) }

    /// The text of a file as the server sees it: the open buffer, else what the checker read, else the disk.
    func lineTable(_ file: String) -> LineTable {
        if let document = documents[file] { return document.lines }
        for analysis in analyses.values {
            if let source = analysis.document.result.sources.first(where: { analysis.canonical[$0.path] == file }) { return LineTable(source.bytes) }
        }
        return LineTable((FileManager.default.contents(atPath: file)).map { [UInt8]($0) } ?? [])
    }

    func range(_ span: SourceSpan, in table: LineTable) -> JSONObject {
        let start = table.position(ofOffset: span.start.offset, encoding: encoding)
        let end = table.position(ofOffset: span.end.offset, encoding: encoding)
        return ["start": ["line": start.line, "character": start.character], "end": ["line": end.line, "character": end.character]]
    }

    func location(_ span: SourceSpan) -> JSONObject? {
        let file = DocumentAnalysis.canonicalPath(span.file)
        return ["uri": uri(file), "range": range(span, in: lineTable(file))]
    }

    /// The open document and byte offset a `TextDocumentPositionParams` names.
    func target(_ params: JSONObject) -> (document: TextDocument, offset: Int)? {
        guard let uri = params.object("textDocument")?.string("uri"), let path = TextDocument.path(fromURI: uri),
              let document = documents[DocumentAnalysis.canonicalPath(path)], let position = LSPPosition(params.object("position")) else { return nil }
        return (document, document.lines.offset(line: position.line, character: position.character, encoding: encoding))
    }

    // MARK: Output

    func respond(id: Any, result: Any) {
        write(["jsonrpc": "2.0", "id": id, "result": result])
    }

    func respond(id: Any, error: (code: Int, message: String)) {
        write(["jsonrpc": "2.0", "id": id, "error": ["code": error.code, "message": error.message]])
    }

    func notify(_ method: String, _ params: JSONObject) {
        write(["jsonrpc": "2.0", "method": method, "params": params])
    }

    private func write(_ message: JSONObject) {
        guard let body = try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys]) else { return }
        send(MessageFraming.frame(body))
    }
}
