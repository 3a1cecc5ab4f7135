/// A plot Assay draws itself as SVG.
///
/// Colours come from CSS classes and variables (`ChartStyle.css`) and text uses
/// `currentColor`, so an inline chart follows the host page's light or dark theme.
public protocol Chart: Sendable {
    /// Shown above the plot and as the SVG's accessible title.
    var title: String { get }

    /// The chart as one `<svg>` element.
    ///
    /// `standalone` adds the XML namespace and the chart style sheet so the
    /// markup works as a `.svg` file on its own; an HTML report leaves both
    /// out and includes `ChartStyle.css` once in the page.
    func svg(standalone: Bool) -> String
}

extension Chart {
    /// A self-contained SVG document (namespace and style included).
    public var standaloneSVG: String { svg(standalone: true) }
}
