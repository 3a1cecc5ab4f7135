import AssaySupport
import CYAML

/// The result of parsing one file: a tree when one could be built, and every problem found.
public struct YAMLParseResult: Sendable {
    public var root: YAMLNode?
    public var diagnostics: [Diagnostic]
}

/// Parses YAML with libyaml's event API into ``YAMLNode`` trees.
///
/// Assay's files are plain data, so everything that makes YAML a graph or
/// typed stream is rejected with a positioned diagnostic: anchors, aliases,
/// merge keys (`<<`), tags, duplicate keys, several documents. So are files
/// that are empty, too large, not UTF-8, or nested deeper than the limit.
/// The parser never traps: every libyaml failure becomes a diagnostic.
public enum YAMLParser {
    public static func parse(_ file: SourceFile, limits: YAMLParseLimits = .standard) -> YAMLParseResult {
        var builder = TreeBuilder(file: file, limits: limits)
        return builder.run()
    }

    /// Parses a small YAML value given on the command line (`-p lr=1e-3`).
    public static func parseValue(_ text: String, origin: String) -> YAMLParseResult {
        parse(SourceFile(path: origin, text: text))
    }
}

private struct TreeBuilder {
    let file: SourceFile
    let limits: YAMLParseLimits
    var diagnostics: [Diagnostic] = []

    /// Open collections: their start event, flow flag, and children so far.
    struct Frame {
        var isMapping: Bool
        var start: SourceLocation
        var isFlow: Bool
        var children: [YAMLNode] = []
    }
    var stack: [Frame] = []
    var documents = 0
    var root: YAMLNode?

    /// No byte above 0x7F: every character is one byte.
    let asciiOnly: Bool

    init(file: SourceFile, limits: YAMLParseLimits) {
        self.file = file
        self.limits = limits
        asciiOnly = !file.bytes.contains { $0 >= 0x80 }
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        // In an ASCII file libyaml's character index is the byte offset: no walk along the line
        // (this runs twice per node, which made locations a tenth of checking a large file).
        if asciiOnly { return SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1, offset: Int(mark.index)) }
        return file.location(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    func span(_ start: yaml_mark_t, _ end: yaml_mark_t) -> SourceSpan {
        SourceSpan(file: file.path, start: location(start), end: location(end))
    }

    mutating func error(_ id: MessageID, _ message: String, _ span: SourceSpan, label: String? = nil, help: [String] = []) {
        diagnostics.append(.error(id, message, at: span, label: label, help: help))
    }

    mutating func run() -> YAMLParseResult {
        if file.bytes.count > limits.maxBytes {
            error("file-too-large", "the file is \(file.bytes.count) bytes, more than the limit of \(limits.maxBytes)",
                  .startOf(file.path), help: ["split the experiment into several files joined with `include:`"])
            return YAMLParseResult(root: nil, diagnostics: diagnostics)
        }
        if let bad = file.firstInvalidUTF8Offset() {
            let s = file.span(from: bad, to: bad + 1)
            error("invalid-utf8", "the file is not valid UTF-8 (byte 0x\(String(file.bytes[bad], radix: 16)) at offset \(bad))", s,
                  label: "invalid byte", help: ["save the file as UTF-8 text; experiment files cannot contain binary data"])
            return YAMLParseResult(root: nil, diagnostics: diagnostics)
        }
        if let nul = file.bytes.firstIndex(of: 0) {
            error("invalid-utf8", "the file contains a NUL byte at offset \(nul)", file.span(from: nul, to: nul + 1),
                  label: "NUL byte", help: ["experiment files are text; remove the binary data"])
            return YAMLParseResult(root: nil, diagnostics: diagnostics)
        }
        if file.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            error("empty-file", "the file is empty", .startOf(file.path),
                  help: ["an experiment starts with `assay: 1` followed by its sections"])
            return YAMLParseResult(root: nil, diagnostics: diagnostics)
        }

        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            error("yaml-syntax", "could not initialise the YAML parser", .startOf(file.path))
            return YAMLParseResult(root: nil, diagnostics: diagnostics)
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = file.bytes
        return bytes.withUnsafeBufferPointer { buffer -> YAMLParseResult in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var event = yaml_event_t()
            loop: while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    reportParserError(parser)
                    break loop
                }
                let done = event.type == YAML_STREAM_END_EVENT
                let keepGoing = handle(&event)
                yaml_event_delete(&event)
                if done || !keepGoing { break loop }
            }
            if root == nil && diagnostics.isEmpty {
                error("empty-file", "the file holds no value (only comments or document markers)", .startOf(file.path),
                      help: ["an experiment starts with `assay: 1` followed by its sections"])
            }
            let hasRootError = diagnostics.contains { $0.id == "yaml-syntax" || $0.id == "nesting-too-deep" }
            return YAMLParseResult(root: hasRootError ? nil : root, diagnostics: diagnostics)
        }
    }

    mutating func reportParserError(_ parser: yaml_parser_t) {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        let context = parser.context.map { String(cString: $0) }
        let mark = parser.problem_mark
        let at = location(mark)
        let s = SourceSpan(file: file.path, start: at, end: file.location(line: at.line, column: at.column + 1))
        var help = ["check the indentation and the quoting around this point"]
        if problem.contains("tab") { help = ["indent with spaces; YAML does not allow tabs for indentation"] }
        if problem.contains("mapping values are not allowed") {
            help = ["a value containing `: ` must be quoted or written as a mapping, e.g. `{ conv: { out: 32 } }`"]
        }
        if at.offset < file.bytes.count, file.bytes[at.offset] == UInt8(ascii: "["), problem.contains("did not find expected") {
            help = ["inside `{ ... }`, a unit such as `conv2[5]` must be quoted: `unit: \"conv2[5]\"` (or use block style)"]
        }
        let message = context.map { "\(problem) (\($0))" } ?? problem
        error("yaml-syntax", "malformed YAML: \(message)", s, help: help)
    }

    /// Handles one event; false stops parsing.
    mutating func handle(_ event: inout yaml_event_t) -> Bool {
        let s = span(event.start_mark, event.end_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                error("multiple-documents", "the file holds more than one YAML document", s, label: "second document starts here",
                      help: ["an experiment is one document; remove the `---` line or move the rest into another file"])
                return false
            }
        case YAML_ALIAS_EVENT:
            let name = event.data.alias.anchor.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) } ?? ""
            error("yaml-alias", "alias `*\(name)` is not supported", s, label: "alias",
                  help: ["write the value out in full, or share it with `include:` or a parameter (`$name`)"])
            append(YAMLNode(kind: .scalar("", .plain), span: s))
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            checkAnchor(scalar.anchor, s)
            let value = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(scalar.length)), as: UTF8.self) } ?? ""
            if let tag = scalar.tag {
                let tagText = String(cString: UnsafeRawPointer(tag).assumingMemoryBound(to: CChar.self))
                // A non-plain scalar carries the implicit `!` tag in some libyaml versions; only explicit tags are errors.
                if scalar.plain_implicit == 0 && scalar.quoted_implicit == 0 || tagText != "!" {
                    error("yaml-tag", "tag `\(tagText)` is not supported", s, label: "tagged value",
                          help: ["remove the tag; Assay infers each value's type from where it appears"])
                }
            }
            let style: ScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            append(YAMLNode(kind: .scalar(value, style), span: s))
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
            let implicit = isMapping ? event.data.mapping_start.implicit : event.data.sequence_start.implicit
            checkAnchor(anchor, s)
            if let tag, implicit == 0 {
                let tagText = String(cString: UnsafeRawPointer(tag).assumingMemoryBound(to: CChar.self))
                error("yaml-tag", "tag `\(tagText)` is not supported", s, label: "tagged value",
                      help: ["remove the tag; Assay infers each value's type from where it appears"])
            }
            let isFlow = isMapping
                ? event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                : event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
            if stack.count >= limits.maxDepth {
                error("nesting-too-deep", "values are nested more than \(limits.maxDepth) levels deep", s, label: "too deep",
                      help: ["flatten the structure; no Assay construct needs this depth"])
                return false
            }
            stack.append(Frame(isMapping: isMapping, start: location(event.start_mark), isFlow: isFlow))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return false }
            // Block collections end where their last child ends (libyaml's end mark is at the next token).
            var end = location(event.end_mark)
            if !frame.isFlow, let last = frame.children.last { end = last.span.end }
            let nodeSpan = SourceSpan(file: file.path, start: frame.start, end: end)
            if frame.isMapping {
                append(YAMLNode(kind: .mapping(buildPairs(frame.children)), span: nodeSpan, isFlow: frame.isFlow))
            } else {
                append(YAMLNode(kind: .sequence(frame.children), span: nodeSpan, isFlow: frame.isFlow))
            }
        default:
            break
        }
        return true
    }

    mutating func checkAnchor(_ anchor: UnsafeMutablePointer<yaml_char_t>?, _ s: SourceSpan) {
        guard let anchor else { return }
        let name = String(cString: UnsafeRawPointer(anchor).assumingMemoryBound(to: CChar.self))
        error("yaml-anchor", "anchor `&\(name)` is not supported", s, label: "anchored value",
              help: ["remove the anchor; share values with `include:` or a parameter (`$name`) instead"])
    }

    mutating func append(_ node: YAMLNode) {
        if stack.isEmpty {
            if root == nil { root = node }
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }

    mutating func buildPairs(_ children: [YAMLNode]) -> [YAMLPair] {
        var pairs: [YAMLPair] = []
        var seen: [String: SourceSpan] = [:]
        var i = 0
        while i + 1 < children.count {
            let key = children[i], value = children[i + 1]
            i += 2
            guard let name = key.scalar else {
                error("complex-key", "a mapping key must be a plain name, not a \(key.kindName)", key.span, label: "complex key",
                      help: ["write keys as names such as `epochs:`"])
                continue
            }
            if name == "<<", key.style == .plain {
                error("yaml-merge-key", "merge keys (`<<`) are not supported", key.span, label: "merge key",
                      help: ["write the entries out in full, or use `include:` to share definitions"])
                continue
            }
            if let first = seen[name] {
                diagnostics.append(.error("duplicate-key", "key `\(name)` appears twice in one mapping", at: key.span,
                                          label: "duplicate", notes: [DiagnosticNote("first defined here", at: first)],
                                          help: ["remove one of them; YAML would silently keep only the last"]))
                continue
            }
            seen[name] = key.span
            pairs.append(YAMLPair(key: key, value: value))
        }
        return pairs
    }
}
