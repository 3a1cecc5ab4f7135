/// A small matrix as shaded cells: a confusion matrix, a channel overlap table.
///
/// ```swift
/// let chart = HeatMap(title: "Confusion (validation)", rowLabels: classes, columnLabels: classes,
///                     values: counts, rowAxisLabel: "true", columnAxisLabel: "predicted")
/// ```
///
/// Shade is the cell's value relative to the matrix's range, drawn as the
/// opacity of one theme colour, so it reads on light and dark backgrounds.
/// Cell values are written in the cells when they fit.
public struct HeatMap: Chart {
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// `values[row][column]`; missing or non-finite entries stay blank.
    public var values: [[Double]]
    public var rowAxisLabel: String
    public var columnAxisLabel: String
    public var valueFormat: NumberFormat
    /// Shade each row by its own range (a confusion matrix normalised per true class).
    public var normalisesRows: Bool

    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double]],
                rowAxisLabel: String = "", columnAxisLabel: String = "", valueFormat: NumberFormat = .automatic,
                normalisesRows: Bool = false) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.rowAxisLabel = rowAxisLabel
        self.columnAxisLabel = columnAxisLabel
        self.valueFormat = valueFormat
        self.normalisesRows = normalisesRows
    }

    func value(_ row: Int, _ column: Int) -> Double? {
        guard row < values.count, column < values[row].count, values[row][column].isFinite else { return nil }
        return values[row][column]
    }

    public func svg(standalone: Bool) -> String {
        let rows = rowLabels.count, columns = columnLabels.count
        let cell = max(14, min(48, 480 / Double(max(rows, columns, 1))))
        let rowLabelWidth = min((rowLabels.map { ChartCanvas.textWidth($0, fontSize: 11) }.max() ?? 0), 140) + 10
        let columnLabelDepth = min((columnLabels.map { ChartCanvas.textWidth($0, fontSize: 11) }.max() ?? 0), 140) * 0.6 + 16
        var canvas = ChartCanvas(width: 0, height: 0)
        canvas.marginLeft = 24 + rowLabelWidth
        canvas.marginTop = 36
        canvas.marginBottom = columnLabelDepth + 24
        canvas.marginRight = 16
        let plotWidth = cell * Double(max(columns, 1)), plotHeight = cell * Double(max(rows, 1))
        canvas = ChartCanvas(width: max(canvas.marginLeft + plotWidth + canvas.marginRight, 200),
                             height: canvas.marginTop + plotHeight + canvas.marginBottom,
                             marginLeft: canvas.marginLeft, marginRight: 16, marginTop: 36, marginBottom: canvas.marginBottom)
        var writer = SVGWriter()
        canvas.begin(&writer, title: title, kind: "heat-map", standalone: standalone)

        let finite = (0..<rows).flatMap { r in (0..<columns).compactMap { c in value(r, c) } }
        if finite.isEmpty { canvas.drawEmptyNote(&writer) }
        let showsValues = cell >= 26
        writer.open("g", [("class", "cells")])
        for row in 0..<rows {
            let rowValues = (0..<columns).compactMap { value(row, $0) }
            let range = normalisesRows ? rowValues : finite
            let low = min(range.min() ?? 0, 0), high = range.max() ?? 1
            for column in 0..<columns {
                let x = canvas.plotLeft + Double(column) * cell, y = canvas.plotTop + Double(row) * cell
                guard let v = value(row, column) else { continue }
                let strength = high > low ? (v - low) / (high - low) : 0.5
                let opacity = 0.06 + 0.94 * min(max(strength, 0), 1)
                writer.open("rect", [("class", "heat"), ("x", SVGWriter.number(x)), ("y", SVGWriter.number(y)),
                                     ("width", SVGWriter.number(cell)), ("height", SVGWriter.number(cell)),
                                     ("fill-opacity", SVGWriter.number(opacity))])
                writer.text("title", [], "\(rowLabels[row]) → \(columnLabels[column]): \(valueFormat.format(v))")
                writer.close("rect")
                if showsValues {
                    let text = valueFormat.format(v)
                    if ChartCanvas.textWidth(text, fontSize: 11) <= cell - 2 {
                        writer.label(text, x: x + cell / 2, y: y + cell / 2 + 4,
                                     className: opacity > 0.55 ? "heat-label tick-label on-strong" : "heat-label tick-label")
                    }
                }
            }
        }
        writer.empty("rect", [("class", "heat-frame"), ("x", SVGWriter.number(canvas.plotLeft)), ("y", SVGWriter.number(canvas.plotTop)),
                              ("width", SVGWriter.number(Double(columns) * cell)), ("height", SVGWriter.number(Double(rows) * cell))])
        writer.close("g")
        writer.newline()

        writer.open("g", [("class", "labels")])
        for (row, label) in rowLabels.enumerated() {
            writer.label(ChartCanvas.shortened(label, to: 20), x: canvas.plotLeft - 6, y: canvas.plotTop + (Double(row) + 0.5) * cell + 4,
                         anchor: "end", className: "tick-label")
        }
        let labelY = canvas.plotTop + Double(rows) * cell + 12
        for (column, label) in columnLabels.enumerated() {
            let x = canvas.plotLeft + (Double(column) + 0.5) * cell
            writer.label(ChartCanvas.shortened(label, to: 20), x: x, y: labelY, anchor: "end", className: "tick-label",
                         extra: [("transform", "rotate(-40 \(SVGWriter.number(x)) \(SVGWriter.number(labelY)))")])
        }
        if !columnAxisLabel.isEmpty {
            writer.label(columnAxisLabel, x: canvas.plotLeft + Double(columns) * cell / 2, y: canvas.height - 8, className: "axis-label")
        }
        if !rowAxisLabel.isEmpty {
            let centre = canvas.plotTop + Double(rows) * cell / 2
            writer.label(rowAxisLabel, x: 14, y: centre, className: "axis-label",
                         extra: [("transform", "rotate(-90 14 \(SVGWriter.number(centre)))")])
        }
        writer.close("g")
        canvas.end(&writer)
        return writer.markup
    }
}
