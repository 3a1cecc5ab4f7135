/// A report as data: title, sections and blocks. `HTMLReportRenderer` turns it
/// into one self-contained HTML file.
///
/// ```swift
/// var section = ReportSection(title: "Results")
/// section.add(.paragraph("DFR on all layers against the last-layer baseline."))
/// section.add(.table(table))
/// section.add(.chart(BarChart(...), caption: "Accuracy per group; worst group outlined."))
/// let html = ReportDocument(title: "colored-fmnist-dfr", sections: [section]).html()
/// ```
public struct ReportDocument: Sendable {
    public var title: String
    public var subtitle: String?
    public var sections: [ReportSection]
    /// A closing line, e.g. the tool version and a time the caller passes in
    /// (the library adds no timestamps of its own: same input, same bytes).
    public var footer: String?

    public init(title: String, subtitle: String? = nil, sections: [ReportSection] = [], footer: String? = nil) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.footer = footer
    }

    /// The document as one HTML file.
    public func html() -> String {
        HTMLReportRenderer().render(self)
    }
}

/// A titled part of a report; sections nest one level per subsection.
public struct ReportSection: Sendable {
    public var title: String
    public var blocks: [ReportBlock]
    public var subsections: [ReportSection]

    public init(title: String, blocks: [ReportBlock] = [], subsections: [ReportSection] = []) {
        self.title = title
        self.blocks = blocks
        self.subsections = subsections
    }

    public mutating func add(_ block: ReportBlock) {
        blocks.append(block)
    }

    public mutating func add(_ subsection: ReportSection) {
        subsections.append(subsection)
    }
}

/// One piece of content in a section.
public enum ReportBlock: Sendable {
    case paragraph(String)
    case keyValues([KeyValue])
    case table(ReportTable)
    /// An SVG chart drawn inline, with an optional caption.
    case chart(any Chart, caption: String?)
    /// Several charts side by side (one per metric of a sweep).
    case chartRow([any Chart], caption: String?)
    case figure(ReportFigure)
    /// Preformatted text such as the experiment file; `language` is a label only (no highlighting).
    case code(String, language: String?)
    case plan(PlanTable)
    /// A boxed remark: something failed, or a result needs caution.
    case note(String, tone: ReportCell.Tone)
}
