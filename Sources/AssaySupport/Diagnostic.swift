/// How bad a diagnostic is.
public enum Severity: String, Codable, Sendable, Comparable {
    case error, warning, note

    private var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A stable identifier for a kind of message, such as `unknown-dataset`.
///
/// The wording of a message may change between versions; its ID does not.
/// Every ID lives in ``DiagnosticCatalogue``.
public struct MessageID: Hashable, Codable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (a: MessageID, b: MessageID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }
}

/// A secondary message attached to a diagnostic, optionally pointing somewhere else.
public struct DiagnosticNote: Hashable, Codable, Sendable {
    public var message: String
    public var span: SourceSpan?

    public init(_ message: String, at span: SourceSpan? = nil) {
        self.message = message
        self.span = span
    }
}

/// One problem found in an experiment, as plain data.
///
/// Producing diagnostics and rendering them are separate: checkers return
/// values of this type, ``DiagnosticRenderer`` turns them into text or JSON.
public struct Diagnostic: Hashable, Codable, Sendable {
    public var severity: Severity
    public var id: MessageID
    public var message: String
    /// Where the problem is; nil only for problems without a file (e.g. a bad `-p` option).
    public var span: SourceSpan?
    /// A short label printed after the carets.
    public var label: String?
    public var notes: [DiagnosticNote]
    /// Lines printed as `= help: ...`, usually how to fix the problem.
    public var help: [String]
    /// The data path of the offending value, such as `stages.erm.data`.
    public var path: String?

    public init(
        _ severity: Severity = .error, id: MessageID, message: String, span: SourceSpan?, label: String? = nil,
        notes: [DiagnosticNote] = [], help: [String] = [], path: String? = nil
    ) {
        self.severity = severity
        self.id = id
        self.message = message
        self.span = span
        self.label = label
        self.notes = notes
        self.help = help
        self.path = path
    }

    public static func error(
        _ id: MessageID, _ message: String, at span: SourceSpan?, label: String? = nil,
        notes: [DiagnosticNote] = [], help: [String] = [], path: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, id: id, message: message, span: span, label: label, notes: notes, help: help, path: path)
    }

    public static func warning(
        _ id: MessageID, _ message: String, at span: SourceSpan?, label: String? = nil,
        notes: [DiagnosticNote] = [], help: [String] = [], path: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, id: id, message: message, span: span, label: label, notes: notes, help: help, path: path)
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, position, then ID; duplicates removed (sweep points can report one problem many times).
    public func sortedUnique() -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        let unique = filter { seen.insert($0).inserted }
        return unique.enumerated().sorted { x, y in
            let a = x.element, b = y.element
            let fa = a.span?.file ?? "", fb = b.span?.file ?? ""
            if fa != fb { return fa < fb }
            let oa = a.span?.start.offset ?? -1, ob = b.span?.start.offset ?? -1
            if oa != ob { return oa < ob }
            return x.offset < y.offset
        }.map(\.element)
    }
}
