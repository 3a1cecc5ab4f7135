import AssaySupport
import AssaySyntax

/// A YAML value after scalar resolution and parameter substitution, still carrying its span.
///
/// Plain scalars are read with the YAML 1.2 core schema (`~`/`null`, `true`/`false`,
/// decimal/hex/octal integers, floats including `1e-3`, `.inf`, `.nan`); quoted
/// scalars are strings. `$name` (a whole scalar) is replaced by the parameter's
/// value and `${name}` inside a string by its text; both keep the span of the
/// reference, so errors point at the place the value was used.
struct Value {
    enum Kind {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case list([Value])
        case map([Entry])
        /// A parameter reference whose error is already reported: checks pass over it
        /// silently, so one mistake gives one diagnostic.
        case unresolved
    }

    struct Entry {
        var key: String
        var keySpan: SourceSpan
        var value: Value
    }

    var kind: Kind
    var span: SourceSpan
    /// The scalar's source text (or the parameter's text), for messages and string-typed fields.
    var text: String
    /// The parameter this value came from, if any.
    var parameter: String?

    var entries: [Entry]? { if case .map(let e) = kind { return e }; return nil }
    var items: [Value]? { if case .list(let i) = kind { return i }; return nil }
    var string: String? { if case .string(let s) = kind { return s }; return nil }
    var isNull: Bool { if case .null = kind { return true }; return false }
    var isUnresolved: Bool { if case .unresolved = kind { return true }; return false }

    subscript(key: String) -> Value? { entries?.first { $0.key == key }?.value }
    func entry(_ key: String) -> Entry? { entries?.first { $0.key == key } }

    var kindName: String {
        switch kind {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .list: return "a list"
        case .map: return "a mapping"
        case .unresolved: return "an unresolved parameter"
        }
    }

    /// The value as a canonical value (maps keyed by their keys).
    var canonical: CanonicalValue {
        switch kind {
        case .null, .unresolved: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let l): return .list(l.map(\.canonical))
        case .map(let m): return .map(Dictionary(m.map { ($0.key, $0.value.canonical) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    /// Builds a value from a canonical value (a parameter's), located at `span`.
    static func from(_ c: CanonicalValue, span: SourceSpan, parameter: String?) -> Value {
        let kind: Kind
        switch c {
        case .null: kind = .null
        case .bool(let b): kind = .bool(b)
        case .int(let i): kind = .int(i)
        case .double(let d): kind = .double(d)
        case .string(let s): kind = .string(s)
        case .list(let l): kind = .list(l.map { from($0, span: span, parameter: parameter) })
        case .map(let m):
            kind = .map(CanonicalValue.sortedKeys(m).map { Entry(key: $0, keySpan: span, value: from(m[$0]!, span: span, parameter: parameter)) })
        }
        return Value(kind: kind, span: span, text: Value.text(of: c), parameter: parameter)
    }

    static func text(of c: CanonicalValue) -> String {
        switch c {
        case .string(let s): return s
        case .double(let d): return CanonicalValue.format(d)
        default: return c.canonicalString
        }
    }

    /// Whether `s` contains `${` (a byte scan; Foundation's substring search is slow on hot paths).
    static func containsInterpolation(_ s: String) -> Bool {
        var previous: UInt8 = 0
        for b in s.utf8 {
            if previous == UInt8(ascii: "$") && b == UInt8(ascii: "{") { return true }
            previous = b
        }
        return false
    }

    /// Resolves a plain scalar's text by the YAML 1.2 core schema.
    static func resolvePlain(_ s: String) -> Kind {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        let u = Array(s.utf8)
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        if u.count > 2, u[0] == 48, u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "o") {
            let radix = u[1] == UInt8(ascii: "x") ? 16 : 8
            if let i = Int(String(s.dropFirst(2)), radix: radix) { return .int(i) }
            return .string(s)
        }
        var i = 0
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
        let digitsStart = i
        while i < u.count, isDigit(u[i]) { i += 1 }
        let intDigits = i - digitsStart
        if i == u.count {
            if intDigits > 0, let v = Int(s) { return .int(v) }
            if intDigits > 0 { return Double(s).map { .double($0) } ?? .string(s) }  // too large for Int
            return .string(s)
        }
        var fractionDigits = 0
        if u[i] == UInt8(ascii: ".") {
            i += 1
            let f = i
            while i < u.count, isDigit(u[i]) { i += 1 }
            fractionDigits = i - f
        }
        guard intDigits + fractionDigits > 0 else { return .string(s) }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
            let e = i
            while i < u.count, isDigit(u[i]) { i += 1 }
            if i == e { return .string(s) }
        }
        guard i == u.count, let d = Double(s) else { return .string(s) }
        return .double(d)
    }
}

/// Turns YAML nodes into values, substituting parameters.
struct ValueResolver {
    var parameters: [String: CanonicalValue]
    var diagnostics: [Diagnostic] = []
    /// Parameters referenced so far (for the unused-parameter warning).
    var used: Set<String> = []

    mutating func resolve(_ node: YAMLNode, path: String) -> Value {
        switch node.kind {
        case .scalar(let s, let style):
            if style == .plain, s.hasPrefix("$"), !s.hasPrefix("${") {
                let name = String(s.dropFirst())
                return substitute(name, at: node.span, path: path) ?? Value(kind: .unresolved, span: node.span, text: s, parameter: name)
            }
            if Value.containsInterpolation(s) {
                guard let text = interpolate(s, span: node.span, path: path) else { return Value(kind: .unresolved, span: node.span, text: s) }
                return Value(kind: .string(text), span: node.span, text: s)
            }
            let kind = style == .plain ? Value.resolvePlain(s) : .string(s)
            return Value(kind: kind, span: node.span, text: s)
        case .sequence(let items):
            return Value(kind: .list(items.enumerated().map { resolve($0.element, path: "\(path)[\($0.offset)]") }), span: node.span, text: "")
        case .mapping(let pairs):
            let entries = pairs.map { p -> Value.Entry in
                let key = p.key.scalar ?? ""
                return Value.Entry(key: key, keySpan: p.key.span, value: resolve(p.value, path: path.isEmpty ? key : "\(path).\(key)"))
            }
            return Value(kind: .map(entries), span: node.span, text: "")
        }
    }

    mutating func substitute(_ name: String, at span: SourceSpan, path: String) -> Value? {
        if let value = parameters[name] {
            used.insert(name)
            return Value.from(value, span: span, parameter: name)
        }
        var help = ["declare it under `params:`, e.g. `params: { \(name): ... }`"]
        if let s = EditDistance.suggestion(for: name, among: parameters.keys) { help.insert("did you mean `$\(s)`?", at: 0) }
        diagnostics.append(.error("unknown-parameter", "unknown parameter `$\(name)`", at: span, label: "not declared under `params:`", help: help, path: path))
        return nil
    }

    /// The string with every `${name}` replaced; nil when a reference failed (its error is recorded).
    mutating func interpolate(_ s: String, span: SourceSpan, path: String) -> String? {
        var out = ""
        var failed = false
        var rest = Substring(s)
        while let open = rest.range(of: "${") {
            out += rest[rest.startIndex..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                out += rest[open.lowerBound...]
                rest = ""
                break
            }
            let name = String(rest[open.upperBound..<close])
            if name.isEmpty {
                diagnostics.append(.error("unknown-parameter", "`${}` names no parameter", at: span, label: "empty `${}`",
                                          help: ["write `${name}` with a parameter declared under `params:`, or remove the `${}`"], path: path))
                failed = true
            } else if let v = substitute(name, at: span, path: path) {
                out += v.text
            } else {
                failed = true
            }
            rest = rest[rest.index(after: close)...]
        }
        return failed ? nil : out + rest
    }
}
