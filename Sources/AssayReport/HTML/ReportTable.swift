import AssaySupport

/// A table of values with per-column number formats and per-cell provenance.
///
/// ```swift
/// var table = ReportTable(caption: "Worst-group accuracy",
///                         columns: [.init("method"), .init("WGA", format: .percent(1)), .init("mean", format: .percent(1))],
///                         showsProvenance: true)
/// table.addRow(["DFR", .number(0.781, from: dfrMetrics), .number(0.902, from: dfrMetrics)])
/// ```
public struct ReportTable: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public enum Alignment: Sendable, Equatable {
            /// Right-aligned when every non-empty cell is a number, else left.
            case automatic
            case leading
            case trailing
        }

        public var title: String
        /// Format for numeric cells that do not set their own.
        public var format: NumberFormat
        public var alignment: Alignment

        public init(_ title: String, format: NumberFormat = .automatic, alignment: Alignment = .automatic) {
            self.title = title
            self.format = format
            self.alignment = alignment
        }
    }

    public var caption: String?
    public var columns: [Column]
    /// Rows shorter than `columns` are padded with empty cells; extra cells are dropped.
    public var rows: [[ReportCell]]
    /// Adds a trailing "artifact" column listing each row's distinct short digests.
    public var showsProvenance: Bool

    public init(caption: String? = nil, columns: [Column], rows: [[ReportCell]] = [], showsProvenance: Bool = false) {
        self.caption = caption
        self.columns = columns
        self.rows = rows
        self.showsProvenance = showsProvenance
    }

    public mutating func addRow(_ cells: [ReportCell]) {
        rows.append(cells)
    }

    /// The distinct digests of a row in first-appearance order.
    func provenance(ofRow row: [ReportCell]) -> [Digest] {
        var seen = Set<Digest>()
        var out: [Digest] = []
        for cell in row.prefix(columns.count) {
            if let digest = cell.provenance, seen.insert(digest).inserted { out.append(digest) }
        }
        return out
    }
}
