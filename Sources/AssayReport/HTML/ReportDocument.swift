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
