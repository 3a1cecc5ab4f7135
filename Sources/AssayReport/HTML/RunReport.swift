/// The standard layout of `assay report RUN`, so every run report reads the
/// same, led by the answer: the experiment's description above the first result
/// section (the headline figure the caller chose), the other results, the run's
/// summary, the plan with cache hits, and the experiment file itself.
///
/// ```swift
/// let report = RunReport(experimentName: "colored-fmnist-dfr", experimentPath: "experiments/colored-fmnist-dfr.yaml",
///                        experimentSource: yamlText, runID: run.short, plan: planTable,
///                        summary: [KeyValue("worst-group accuracy", .number(wga, format: .percent(1), from: digest))],
///                        results: [dfrSection, attackSection])
/// try Data(report.document().html().utf8).write(to: url)
/// ```
public struct RunReport: Sendable {
    public var experimentName: String
    public var experimentPath: String
    public var experimentSource: String
    /// A short run identifier, shown under the title.
    public var runID: String?
    public var plan: PlanTable
    /// What the experiment asks (its `description:` and opening comment), shown first.
    public var description: [String]
    /// Headline numbers and run facts.
    public var summary: [KeyValue]
    public var results: [ReportSection]
    public var footer: String?

    public init(experimentName: String, experimentPath: String, experimentSource: String, runID: String? = nil,
                plan: PlanTable, description: [String] = [], summary: [KeyValue] = [], results: [ReportSection] = [], footer: String? = nil) {
        self.description = description
        self.experimentName = experimentName
        self.experimentPath = experimentPath
        self.experimentSource = experimentSource
        self.runID = runID
        self.plan = plan
        self.summary = summary
        self.results = results
        self.footer = footer
    }

    public func document() -> ReportDocument {
        var overview = ReportSection(title: "Run")
        overview.add(.keyValues([KeyValue("experiment", .code(experimentPath)), KeyValue("plan", .text(plan.summary))] + summary))
        if plan.rows.contains(where: { $0.status == .failed }) {
            overview.add(.note("Some stages failed; their results are missing from this report.", tone: .bad))
        }
        var planSection = ReportSection(title: "Plan")
        planSection.add(.plan(plan))
        var source = ReportSection(title: "Experiment file")
        source.add(.code(experimentSource, language: experimentPath))
        let subtitle = runID.map { "run \($0) · \(plan.summary)" } ?? plan.summary
        var sections = results.isEmpty ? [overview] : results + [overview]
        sections[0].blocks.insert(contentsOf: description.map { .lead($0) }, at: 0)
        return ReportDocument(title: experimentName, subtitle: subtitle,
                              sections: sections + [planSection, source], footer: footer)
    }
}
