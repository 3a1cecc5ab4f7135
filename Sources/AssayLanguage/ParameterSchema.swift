import AssaySupport

/// The type of one operator parameter or declaration field.
public indirect enum ParameterType: Hashable, Sendable {
    case int
    case double
    case bool
    case string
    /// A file or folder path, relative to the experiment file; `mustExist` is checked by `assay check`.
    case path(mustExist: Bool)
    /// One of a fixed set of words.
    case enumeration([String])
    case list(ParameterType)
    /// A nested mapping with its own fields.
    case record([ParameterSchema])
    /// Exactly one of several alternatives, written as a one-key mapping `{ alternative: {...} }`,
    /// or a bare word when the alternative has no required field.
    case variant([String: ParameterType])
    /// An input: the output of another stage or declaration, of this artifact type (`many`: a list of them).
    case reference(ArtifactType, many: Bool)
    /// A declaration under `models:`, `attacks:` or `segmentation:`, inlined into the parameters.
    case declaration(DeclarationKind)
    /// A unit of a model: `layer[channel]`, with a layer name or a torchvision module path.
    case unit
    /// A memory size such as `8GiB` or `512M`, canonicalised to bytes.
    case memory
    /// A duration such as `2h`, `90m`, `1h30m` or `01:30:00`, canonicalised to seconds.
    case duration

    /// A short name for messages (`an integer`, `one of adam, sgd`).
    public var description: String {
        switch self {
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "true or false"
        case .string: return "a string"
        case .path: return "a path"
        case .enumeration(let values): return "one of " + values.joined(separator: ", ")
        case .list(let t): return "a list of \(t.pluralDescription)"
        case .record: return "a mapping"
        case .variant(let alternatives): return "one of " + alternatives.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")
        case .reference(let a, let many): return many ? "a list of \(a.rawValue) references" : "a reference to a \(a.rawValue)"
        case .declaration(let d): return "the name of a \(d.rawValue) declaration"
        case .unit: return "a unit such as `conv2[5]`"
        case .memory: return "a memory size such as `8GiB`"
        case .duration: return "a duration such as `2h30m`"
        }
    }

    var pluralDescription: String {
        switch self {
        case .int: return "integers"
        case .double: return "numbers"
        case .string: return "strings"
        default: return "(\(description))"
        }
    }
}

/// One named parameter: its type, default, range and documentation.
public struct ParameterSchema: Hashable, Sendable {
    public var name: String
    public var type: ParameterType
    /// The value used when the parameter is absent; nil with `required == false` means "absent stays null".
    public var defaultValue: CanonicalValue?
    public var required: Bool
    /// Inclusive numeric bounds.
    public var minimum: Double?
    public var maximum: Double?
    /// True when the minimum itself is not allowed (`lr > 0`).
    public var exclusiveMinimum: Bool
    /// True when the maximum itself is not allowed (`fit-fraction < 1`).
    public var exclusiveMaximum: Bool
    /// For lists: the fewest and most items accepted (`size: [H, W]` takes exactly 2).
    public var minCount: Int
    public var maxCount: Int?
    public var doc: String
    /// For a parameter added after stages were cached: at its default it is left out of the
    /// canonical parameters, so stages that do not set it keep their keys (and results).
    public var keyOmitsDefault: Bool

    public init(
        _ name: String, _ type: ParameterType, default defaultValue: CanonicalValue? = nil, required: Bool = false,
        min: Double? = nil, max: Double? = nil, exclusiveMin: Bool = false, exclusiveMax: Bool = false,
        count: ClosedRange<Int>? = nil, minCount: Int = 0, keyOmitsDefault: Bool = false, doc: String
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.required = required
        self.minimum = min
        self.maximum = max
        self.exclusiveMinimum = exclusiveMin
        self.exclusiveMaximum = exclusiveMax
        self.minCount = count?.lowerBound ?? minCount
        self.maxCount = count?.upperBound
        self.doc = doc
        self.keyOmitsDefault = keyOmitsDefault
    }

    /// The range as text for messages: `[0, 1]`, `(0, 1]`, `> 0`, `≥ 1`.
    public var rangeDescription: String? {
        switch (minimum, maximum) {
        case let (lo?, hi?): return "\(exclusiveMinimum ? "(" : "[")\(Self.format(lo)), \(Self.format(hi))\(exclusiveMaximum ? ")" : "]")"
        case let (lo?, nil): return exclusiveMinimum ? "> \(Self.format(lo))" : "≥ \(Self.format(lo))"
        case let (nil, hi?): return exclusiveMaximum ? "< \(Self.format(hi))" : "≤ \(Self.format(hi))"
        default: return nil
        }
    }

    /// The accepted number of items as text: `2 items`, `≥ 1 item`; nil when any count is.
    public var countDescription: String? {
        func items(_ n: Int) -> String { n == 1 ? "1 item" : "\(n) items" }
        switch (minCount, maxCount) {
        case let (lo, hi?) where lo == hi: return items(lo)
        case let (lo, hi?): return "\(lo)–\(items(hi))"
        case let (lo, nil) where lo > 0: return "≥ \(items(lo))"
        default: return nil
        }
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}
