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
    /// Links above the title (the dashboard's pages), as escaped markup.
    public var navigation: String?
    /// A page script (the dashboard's filters and polling), allowed by its hash.
    public var script: String?
    /// Lets the page script fetch from the server that sent it.
    public var pollsServer: Bool

    public init(title: String, subtitle: String? = nil, sections: [ReportSection] = [], footer: String? = nil,
                navigation: String? = nil, script: String? = nil, pollsServer: Bool = false) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.footer = footer
        self.navigation = navigation
        self.script = script
        self.pollsServer = pollsServer
    }

    /// The document as one HTML file.
    public func html() -> String {
        HTMLReportRenderer().render(self)
    }
}
