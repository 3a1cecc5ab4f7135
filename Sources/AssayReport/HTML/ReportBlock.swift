/// One piece of content in a section.
public enum ReportBlock: Sendable {
    case paragraph(String)
    /// The opening text of a page in a larger type: the question an experiment asks.
    case lead(String)
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
    /// Markup the caller built and escaped itself (the dashboard's forms and run lists).
    case html(String)
}
