import AssaySupport

/// One value in a report table or key–value list, with the digest of the
/// artifact it came from.
public struct ReportCell: Sendable, Equatable, ExpressibleByStringLiteral {
    public enum Content: Sendable, Equatable {
        case text(String)
        case number(Double)
        /// Monospaced text: a path, a digest, a parameter literal.
        case code(String)
        case empty
    }

    /// How a cell stands out; rendered as a CSS class, never as a hard-coded colour.
    public enum Tone: String, Sendable, Equatable {
        case normal
        /// Better than the comparison (a delta that improves the metric).
        case good
        /// Worse than the comparison.
        case bad
        /// The value to look at first (the worst group).
        case highlight
        /// Secondary information.
        case muted
    }

    public var content: Content
    /// Overrides the column's number format.
    public var format: NumberFormat?
    /// The artifact this value was read from; shown as a short digest on hover
    /// and, if the table asks for it, in a provenance column.
    public var provenance: Digest?
    public var tone: Tone

    public init(_ content: Content, format: NumberFormat? = nil, provenance: Digest? = nil, tone: Tone = .normal) {
        self.content = content
        self.format = format
        self.provenance = provenance
        self.tone = tone
    }

    public init(stringLiteral value: String) {
        self.init(.text(value))
    }

    public static func text(_ text: String, tone: Tone = .normal) -> ReportCell {
        ReportCell(.text(text), tone: tone)
    }

    public static func number(_ value: Double, format: NumberFormat? = nil, from provenance: Digest? = nil, tone: Tone = .normal) -> ReportCell {
        ReportCell(.number(value), format: format, provenance: provenance, tone: tone)
    }

    public static func code(_ text: String) -> ReportCell {
        ReportCell(.code(text))
    }

    public static let empty = ReportCell(.empty)

    var isNumeric: Bool {
        if case .number = content { return true }
        return false
    }

    /// The displayed text (unescaped).
    func displayText(columnFormat: NumberFormat) -> String {
        switch content {
        case .text(let text), .code(let text): return text
        case .number(let value): return (format ?? columnFormat).format(value)
        case .empty: return ""
        }
    }
}
