import AssaySupport

/// Renders a `ReportDocument` as one self-contained HTML5 file (also well-formed
/// XML, so tests can parse it whole).
///
/// Everything is inline: CSS, SVG charts, images as `data:` URIs. A
/// Content-Security-Policy forbids any fetch, so a report can never reach the
/// network when opened. The only scripts are the chart downloads (`ChartDownloads`) and
/// the document's own `script` (the dashboard's), each allowed by its hash. Output depends
/// only on the document: same document, same bytes.
public struct HTMLReportRenderer: Sendable {
    public init() {}

    /// The policy placed in the page: only inline styles, `data:` images and the hashed scripts;
    /// a dashboard page may also poll its own server (`connect-src 'self'`).
    public static func contentSecurityPolicy(for document: ReportDocument) -> String {
        var scripts = [ChartDownloads.scriptSource]
        if let script = document.script { scripts.append("'sha256-\(Base64.encode(Digest.of(script).bytes))'") }
        let connect = document.pollsServer ? "; connect-src 'self'" : ""
        return "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src \(scripts.joined(separator: " "))\(connect)"
    }

    public func render(_ document: ReportDocument) -> String {
        var anchors = AnchorAllocator()
        let anchored = document.sections.map { anchors.assign($0) }
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(HTMLReportRenderer.contentSecurityPolicy(for: document))\"/>\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        out += "<meta name=\"color-scheme\" content=\"light dark\"/>\n"
        // An empty icon: otherwise a browser asks the server (or the disk) for /favicon.ico.
        out += "<link rel=\"icon\" href=\"data:,\"/>\n"
        out += "<title>\(Markup.escape(document.title))</title>\n"
        out += "<style>\n\(ReportStyleSheet.css)\n\(ChartStyle.css)\n</style>\n</head>\n<body>\n"
        if let navigation = document.navigation { out += "<nav class=\"site\">\(navigation)</nav>\n" }
        out += "<header>\n<h1>\(Markup.escape(document.title))</h1>\n"
        if let subtitle = document.subtitle { out += "<p class=\"subtitle\">\(Markup.escape(subtitle))</p>\n" }
        out += "</header>\n"
        if anchored.count > 1 {
            out += "<nav class=\"toc\" aria-label=\"Contents\"><ol>\n"
            for section in anchored {
                out += "<li><a href=\"#\(section.anchor)\">\(Markup.escape(section.section.title))</a></li>\n"
            }
            out += "</ol></nav>\n"
        }
        out += "<main>\n"
        for section in anchored { out += renderSection(section, level: 2) }
        out += "</main>\n"
        if let footer = document.footer { out += "<footer>\(Markup.escape(footer))</footer>\n" }
        out += "<script>\(ChartDownloads.script)</script>\n"
        if let script = document.script { out += "<script>\(script)</script>\n" }
        out += "</body>\n</html>\n"
        return out
    }

    private func renderSection(_ anchored: AnchoredSection, level: Int) -> String {
        let heading = "h\(min(level, 6))"
        var out = "<section id=\"\(anchored.anchor)\">\n<\(heading)>\(Markup.escape(anchored.section.title))</\(heading)>\n"
        for block in anchored.section.blocks { out += renderBlock(block) }
        for child in anchored.children { out += renderSection(child, level: level + 1) }
        out += "</section>\n"
        return out
    }

    func renderBlock(_ block: ReportBlock) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(Markup.escape(text))</p>\n"
        case .lead(let text):
            return "<p class=\"lead\">\(Markup.escape(text))</p>\n"
        case .keyValues(let entries):
            var out = "<dl class=\"kv\">\n"
            for entry in entries {
                out += "<dt>\(Markup.escape(entry.key))</dt><dd\(cellAttributes(entry.value, numeric: false))>\(cellBody(entry.value, format: .automatic))</dd>\n"
            }
            return out + "</dl>\n"
        case .table(let table):
            return renderTable(table)
        case .chart(let chart, let caption):
            return "<figure class=\"chart\">\n\(chart.svg(standalone: false))\n\(ChartDownloads.links(for: chart))\(figcaption(caption))</figure>\n"
        case .chartRow(let charts, let caption):
            var out = "<figure class=\"chart\">\n<div class=\"chart-row\">\n"
            for chart in charts { out += "<div class=\"chart-cell\">\n\(chart.svg(standalone: false))\n\(ChartDownloads.links(for: chart))</div>\n" }
            return out + "</div>\n\(figcaption(caption))</figure>\n"
        case .html(let markup):
            return markup + "\n"
        case .figure(let figure):
            return renderFigure(figure)
        case .code(let text, let language):
            let label = language.map { "<div class=\"code-label\">\(Markup.escape($0))</div>\n" } ?? ""
            return "\(label)<pre class=\"code\"><code>\(Markup.escape(text))</code></pre>\n"
        case .plan(let plan):
            return renderPlan(plan)
        case .note(let text, let tone):
            return "<div class=\"note tone-\(tone.rawValue)\">\(Markup.escape(text))</div>\n"
        }
    }

    private func figcaption(_ caption: String?) -> String {
        caption.map { "<figcaption>\(Markup.escape($0))</figcaption>\n" } ?? ""
    }

    func renderTable(_ table: ReportTable) -> String {
        // The wrapper scrolls sideways instead of widening the page when a table has many columns.
        var out = "<div class=\"table-wrap\"><table>\n"
        if let caption = table.caption { out += "<caption>\(Markup.escape(caption))</caption>\n" }
        // By default a column is right-aligned when every non-empty cell in it is a number.
        let numericColumns = table.columns.enumerated().map { column, description -> Bool in
            switch description.alignment {
            case .leading: return false
            case .trailing: return true
            case .automatic:
                let cells = table.rows.compactMap { column < $0.count ? $0[column] : nil }.filter { $0.content != .empty }
                return !cells.isEmpty && cells.allSatisfy(\.isNumeric)
            }
        }
        out += "<thead><tr>"
        for (index, column) in table.columns.enumerated() {
            out += numericColumns[index] ? "<th class=\"num\">" : "<th>"
            out += "\(Markup.escape(column.title))</th>"
        }
        if table.showsProvenance { out += "<th>artifact</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out += "<tr>"
            for (index, column) in table.columns.enumerated() {
                let cell = index < row.count ? row[index] : .empty
                let trailing = column.alignment == .automatic ? cell.isNumeric : numericColumns[index]
                out += "<td\(cellAttributes(cell, numeric: trailing))>\(cellBody(cell, format: column.format))</td>"
            }
            if table.showsProvenance {
                let digests = table.provenance(ofRow: row)
                out += "<td class=\"provenance\">"
                out += digests.map { "<code class=\"digest\" title=\"sha256:\($0.hex)\">\($0.short)</code>" }.joined(separator: " ")
                out += "</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    /// Class, tooltip and data attributes of a cell, including its provenance.
    private func cellAttributes(_ cell: ReportCell, numeric: Bool) -> String {
        var classes: [String] = []
        if numeric { classes.append("num") }
        if cell.tone != .normal { classes.append("tone-\(cell.tone.rawValue)") }
        var out = classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
        if let digest = cell.provenance {
            out += " title=\"from artifact \(digest.short) (sha256:\(digest.hex))\" data-digest=\"\(digest.hex)\""
        }
        return out
    }

    private func cellBody(_ cell: ReportCell, format: NumberFormat) -> String {
        let text = Markup.escape(cell.displayText(columnFormat: format))
        if case .code = cell.content { return "<code>\(text)</code>" }
        return text
    }

    func renderFigure(_ figure: ReportFigure) -> String {
        var out = "<figure class=\"images-figure\">\n"
        switch figure.layout {
        case .row:
            out += "<div class=\"images\">\n"
        case .grid(let columns):
            out += "<div class=\"images grid\" style=\"grid-template-columns:repeat(\(max(columns, 1)),max-content)\">\n"
        case .labelledRows(let labels):
            return out + renderLabelledRows(figure, labels: labels)
        }
        for image in figure.images {
            out += renderImage(image, in: figure)
        }
        out += "</div>\n\(figcaption(figure.caption))</figure>\n"
        return out
    }

    private func renderLabelledRows(_ figure: ReportFigure, labels: [String]) -> String {
        let columns = labels.isEmpty ? 0 : (figure.images.count + labels.count - 1) / labels.count
        var out = "<div class=\"images grid\" style=\"grid-template-columns:max-content repeat(\(max(columns, 1)),max-content)\">\n"
        for (row, label) in labels.enumerated() {
            out += "<div class=\"row-label\">\(Markup.escape(label))</div>\n"
            let start = min(row * columns, figure.images.count), end = min(start + columns, figure.images.count)
            for image in figure.images[start..<end] { out += renderImage(image, in: figure) }
            // Pad a short last row so the next label starts a new grid row.
            out += String(repeating: "<div></div>\n", count: columns - (end - start))
        }
        return out + "</div>\n\(figcaption(figure.caption))</figure>\n"
    }

    private func renderImage(_ image: EmbeddedImage, in figure: ReportFigure) -> String {
        let displayHeight = Int((Double(figure.displayWidth) * Double(image.pixelHeight) / Double(image.pixelWidth)).rounded())
        var out = "<div class=\"image\"><figure>"
        out += "<img src=\"\(image.dataURI)\" alt=\"\(Markup.escape(image.alt))\" width=\"\(figure.displayWidth)\" height=\"\(displayHeight)\""
        out += figure.pixelated ? " class=\"pixelated\"/>" : "/>"
        if let caption = image.caption { out += "<figcaption>\(Markup.escape(caption))</figcaption>" }
        return out + "</figure></div>\n"
    }

    func renderPlan(_ plan: PlanTable) -> String {
        var out = "<p class=\"plan-summary\">\(Markup.escape(plan.summary))</p>\n"
        out += "<div class=\"table-wrap\"><table class=\"plan\">\n<thead><tr><th>stage</th><th>operation</th><th>key</th><th>cache</th><th class=\"num\">time</th></tr></thead>\n<tbody>\n"
        for row in plan.rows {
            out += "<tr><td>\(Markup.escape(row.stage))</td><td><code>\(Markup.escape(row.operation))</code></td>"
            if let key = row.key {
                out += "<td><code class=\"digest\" title=\"sha256:\(key.hex)\">\(key.short)</code></td>"
            } else {
                out += "<td></td>"
            }
            let label = row.status == .cached ? "hit" : row.status == .ran ? "miss" : row.status.rawValue
            out += "<td><span class=\"status status-\(row.status.rawValue)\">\(label)</span></td>"
            out += "<td class=\"num\">\(row.seconds.map { Markup.escape(DurationText.format($0)) } ?? "")</td></tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }
}
