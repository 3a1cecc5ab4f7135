import AssayData
import Foundation

/// `before-after.png` of `compare`: the natural top-k before and after side by side (an after
/// exemplar that was already in the top-k before is framed in red), then the synthetic images
/// before and after, each panel labelled with its unit and measures; RGB, drawn at 2× so the
/// 5×7 labels are legible.
enum BeforeAfterFigure {
    static let margin = 6, gap = 14, zoom = 2
    static let ink: [UInt8] = [20, 20, 20], kept: [UInt8] = [220, 30, 30], paper: UInt8 = 255

    struct Panel {
        var title: String
        var image: RasterImage
        var caption: String
    }

    /// Nil when the two visualisations share neither natural exemplars nor synthetic images.
    static func render(before: VisualizationArtifact, after: VisualizationArtifact) -> RasterImage? {
        let shape = before.sampleShape
        var rows: [(heading: String, panels: [Panel])] = []
        if let n0 = before.natural, let n1 = after.natural, let i0 = n0.topImages, let i1 = n1.topImages,
           i0.count == n0.top.count * shape.count, i1.count == n1.top.count * shape.count {
            let columns = gridColumns(n0.top.count)
            let keptBefore = Set(n0.top)
            let afterGrid = framed(grid(i1, count: n1.top.count, shape: shape, columns: columns), shape: shape, columns: columns,
                                   marked: n1.top.enumerated().filter { keptBefore.contains($0.element) }.map(\.offset))
            let overlap = n1.top.filter(keptBefore.contains).count
            rows.append(("natural top-\(n0.k)", [
                Panel(title: "before \(before.unit)", image: rgb(grid(i0, count: n0.top.count, shape: shape, columns: columns)),
                      caption: "top-1 \(format(n0.topScores.first))"),
                Panel(title: "after \(after.unit)", image: afterGrid, caption: "top-1 \(format(n1.topScores.first)), kept \(overlap)/\(n0.top.count)"),
            ]))
        }
        if let s0 = before.synthetic, let s1 = after.synthetic, !s0.activations.isEmpty, !s1.activations.isEmpty {
            let c0 = s0.activations.count, c1 = s1.activations.count
            rows.append(("synthetic", [
                Panel(title: "before", image: rgb(ImageGrid.compose(floatImages: s0.images, shape: shape, columns: c0)),
                      caption: "act \(format(s0.activations.max()))"),
                Panel(title: "after", image: rgb(ImageGrid.compose(floatImages: s1.images, shape: shape, columns: c1)),
                      caption: "act \(format(s1.activations.max()))"),
            ]))
        }
        guard !rows.isEmpty else { return nil }
        let line = BitmapFont.glyphHeight + 4
        let columnWidth = rows.flatMap(\.panels).map { max($0.image.width, BitmapFont.width($0.title), BitmapFont.width($0.caption)) }.max()!
        let width = 2 * margin + 2 * columnWidth + gap
        let height = margin + rows.map { row in line + line + row.panels.map(\.image.height).max()! + line + gap / 2 }.reduce(0, +)
        var canvas = RasterImage(width: width, height: height, channels: 3, fill: paper)
        var y = margin
        for row in rows {
            BitmapFont.draw(row.heading, into: &canvas, x: margin, y: y, color: ink)
            y += line
            let panelHeight = row.panels.map(\.image.height).max()!
            for (i, panel) in row.panels.enumerated() {
                let x = margin + i * (columnWidth + gap)
                BitmapFont.draw(panel.title, into: &canvas, x: x, y: y, color: ink)
                paste(panel.image, into: &canvas, x: x, y: y + line)
                BitmapFont.draw(panel.caption, into: &canvas, x: x, y: y + line + panelHeight + 3, color: ink)
            }
            y += line + panelHeight + line + gap / 2
        }
        return magnified(canvas, by: zoom)
    }

    private static func grid(_ pixels: [UInt8], count: Int, shape: SampleShape, columns: Int) -> RasterImage {
        let n = shape.count
        return ImageGrid.compose((0..<count).map { pixels[($0 * n)..<(($0 + 1) * n)] }, shape: shape, columns: columns)
    }

    /// Red frames (in the grid's padding) around the tiles at `marked`.
    private static func framed(_ grid: RasterImage, shape: SampleShape, columns: Int, marked: [Int]) -> RasterImage {
        var image = rgb(grid)
        let padding = 2
        for k in marked {
            let top = (k / columns) * (shape.height + padding), left = (k % columns) * (shape.width + padding)
            for y in top..<(top + shape.height + 2 * padding) {
                for x in left..<(left + shape.width + 2 * padding) {
                    let onEdge = y < top + padding || y >= top + shape.height + padding || x < left + padding || x >= left + shape.width + padding
                    guard onEdge, y < image.height, x < image.width else { continue }
                    for ch in 0..<3 { image.pixels[(y * image.width + x) * 3 + ch] = kept[ch] }
                }
            }
        }
        return image
    }

    private static func rgb(_ image: RasterImage) -> RasterImage {
        guard image.channels == 1 else { return image }
        return RasterImage(width: image.width, height: image.height, channels: 3, pixels: image.pixels.flatMap { [$0, $0, $0] })
    }

    private static func paste(_ image: RasterImage, into canvas: inout RasterImage, x: Int, y: Int) {
        for row in 0..<image.height where y + row < canvas.height {
            for column in 0..<image.width where x + column < canvas.width {
                for ch in 0..<3 { canvas.pixels[((y + row) * canvas.width + x + column) * 3 + ch] = image.pixels[(row * image.width + column) * 3 + ch] }
            }
        }
    }

    private static func magnified(_ image: RasterImage, by factor: Int) -> RasterImage {
        let width = image.width * factor, c = image.channels
        var out = RasterImage(width: width, height: image.height * factor, channels: c, fill: paper)
        for y in 0..<out.height {
            for x in 0..<width {
                for ch in 0..<c { out.pixels[(y * width + x) * c + ch] = image.pixels[((y / factor) * image.width + x / factor) * c + ch] }
            }
        }
        return out
    }

    private static func format(_ value: Float?) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.2f", Double(value))
    }
}
