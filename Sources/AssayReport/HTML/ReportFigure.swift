/// Images shown together: one image, a before/after pair, or a grid (top-k
/// feature visualisations, segmentation overlays).
public struct ReportFigure: Sendable, Equatable {
    public enum Layout: Sendable, Equatable {
        /// Images in a row, wrapping; each keeps its own caption.
        case row
        /// A grid with a fixed number of columns.
        case grid(columns: Int)
        /// One labelled row per label, the images split evenly between them in
        /// order: top-k images of a unit before and after an attack, one row each.
        case labelledRows([String])
    }

    public var images: [EmbeddedImage]
    public var layout: Layout
    public var caption: String?
    /// Width in CSS pixels each image is shown at; small images (28×28) are scaled up.
    public var displayWidth: Int
    /// Nearest-neighbour scaling: keeps small images' pixels crisp instead of blurred.
    public var pixelated: Bool

    public init(images: [EmbeddedImage], layout: Layout = .row, caption: String? = nil, displayWidth: Int = 160, pixelated: Bool = true) {
        self.images = images
        self.layout = layout
        self.caption = caption
        self.displayWidth = displayWidth
        self.pixelated = pixelated
    }

    /// Rows of images with a label in front of each: `[("before", topK), ("after", topKAfter)]`.
    /// Rows are cut to the shortest so the columns line up.
    public static func rows(_ rows: [(label: String, images: [EmbeddedImage])], caption: String? = nil,
                            displayWidth: Int = 96) -> ReportFigure {
        let columns = rows.map(\.images.count).min() ?? 0
        return ReportFigure(images: rows.flatMap { $0.images.prefix(columns) }, layout: .labelledRows(rows.map(\.label)),
                            caption: caption, displayWidth: displayWidth)
    }

    /// Two images side by side, captioned "before" and "after" unless they already have captions.
    public static func beforeAfter(_ before: EmbeddedImage, _ after: EmbeddedImage, caption: String? = nil,
                                   displayWidth: Int = 220) -> ReportFigure {
        var first = before, second = after
        if first.caption == nil { first.caption = "before" }
        if second.caption == nil { second.caption = "after" }
        return ReportFigure(images: [first, second], layout: .grid(columns: 2), caption: caption, displayWidth: displayWidth)
    }
}
