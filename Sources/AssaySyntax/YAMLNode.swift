import AssaySupport

/// How a scalar was written; plain scalars are the only ones resolved as numbers, booleans or null.
public enum ScalarStyle: String, Codable, Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A node of a YAML document, with the exact span it covers.
///
/// Mappings keep their pairs in source order (duplicates are rejected by the
/// parser, so keys are unique).
public struct YAMLNode: Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    public var span: SourceSpan
    /// Written in flow style (`[a, b]`, `{k: v}`).
    public var isFlow: Bool

    public init(kind: Kind, span: SourceSpan, isFlow: Bool = false) {
        self.kind = kind
        self.span = span
        self.isFlow = isFlow
    }

    public var scalar: String? { if case .scalar(let s, _) = kind { return s }; return nil }
    public var style: ScalarStyle? { if case .scalar(_, let st) = kind { return st }; return nil }
    public var items: [YAMLNode]? { if case .sequence(let i) = kind { return i }; return nil }
    public var pairs: [YAMLPair]? { if case .mapping(let p) = kind { return p }; return nil }

    /// The value under a key of a mapping, if any.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first { $0.key.scalar == key }?.value
    }

    /// `scalar`, `sequence` or `mapping`, for messages.
    public var kindName: String {
        switch kind {
        case .scalar: return "scalar"
        case .sequence: return "list"
        case .mapping: return "mapping"
        }
    }

    /// A plain scalar that YAML 1.2 core schema reads as null (`~`, `null`, empty).
    public var isNull: Bool {
        if case .scalar(let s, .plain) = kind { return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL" }
        return false
    }

    public var description: String {
        switch kind {
        case .scalar(let s, _): return s
        case .sequence(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let pairs): return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

/// One key/value pair of a mapping.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
