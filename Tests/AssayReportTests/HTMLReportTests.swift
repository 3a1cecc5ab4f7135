import AssayData
import AssaySupport
import Foundation
import XCTest
@testable import AssayReport

final class HTMLReportTests: XCTestCase {
    func testSampleReportIsWellFormedAndEverySVGInsideParses() {
        let html = SampleReport.document().html()
        assertWellFormedXML(html)
        let svgs = svgElements(in: html)
        XCTAssertEqual(svgs.count, 7, "5 charts + 2 sweep charts")
        for svg in svgs {
            assertWellFormedXML(svg)
            assertNoNonFiniteNumbers(svg)
        }
    }

    func testReportNeedsNoNetworkAndRunsOnlyItsHashedDownloadScript() {
        let html = SampleReport.document().html()
        XCTAssertFalse(html.contains("http:"))
        XCTAssertFalse(html.contains("https:"))
        // One script, the chart downloads, allowed by its hash and nothing else.
        XCTAssertEqual(html.components(separatedBy: "<script>").count, 2)
        XCTAssertTrue(html.contains("<script>\(ChartDownloads.script)</script>"))
        XCTAssertTrue(html.contains("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src \(ChartDownloads.scriptSource)\""))
        XCTAssertFalse(html.contains("connect-src"))
        for source in html.components(separatedBy: "src=\"").dropFirst() {
            XCTAssertTrue(source.hasPrefix("data:image/png;base64,"))
        }
        for link in html.components(separatedBy: "href=\"").dropFirst() {
            XCTAssertTrue(link.hasPrefix("#") || link.hasPrefix("data:image/svg+xml;base64,") || link.hasPrefix("data:,\""))
        }
    }

    func testEveryChartCanBeDownloadedAsItsStandaloneSVGAndAsPNG() throws {
        let chart = BarChart(title: "Accuracy per group", categories: ["label=top, border=0", "label=top, border=1"], values: [0.9, 0.5])
        let html = HTMLReportRenderer().renderBlock(.chart(chart, caption: nil))
        let encoded = try XCTUnwrap(html.components(separatedBy: "href=\"data:image/svg+xml;base64,").dropFirst().first?.prefix { $0 != "\"" })
        let svg = String(decoding: try XCTUnwrap(Data(base64Encoded: String(encoded))), as: UTF8.self)
        XCTAssertEqual(svg, chart.standaloneSVG)
        XCTAssertTrue(html.contains("download=\"accuracy-per-group.svg\""))
        XCTAssertTrue(html.contains("class=\"download-png\" href=\"#\" data-file=\"accuracy-per-group.png\""))
        // The script's hash in the policy is the SHA-256 of its exact bytes.
        XCTAssertEqual(ChartDownloads.scriptSource, "'sha256-\(Data(Digest.of(ChartDownloads.script).bytes).base64EncodedString())'")
    }

    func testImagesAreEmbeddedAsBase64OfTheirBytes() throws {
        let png = [UInt8](try PNGCodec.encode(RasterImage(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 0, 0, 255])))
        let image = try EmbeddedImage(png: png, alt: "two pixels", caption: "a <caption>")
        var section = ReportSection(title: "Images")
        section.add(.figure(ReportFigure(images: [image], displayWidth: 100)))
        let html = ReportDocument(title: "t", sections: [section]).html()
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,\(Data(png).base64EncodedString())\""))
        XCTAssertTrue(html.contains("width=\"100\" height=\"50\""))
        XCTAssertTrue(html.contains("<figcaption>a &lt;caption&gt;</figcaption>"))
        XCTAssertEqual(SampleReport.document().html().components(separatedBy: "data:image/png;base64,").count - 1, 19)
    }

    func testLabelledRowsPutALabelBeforeEachRowAndPadShortRows() {
        let images = (0..<3).map { SampleReport.image($0) }
        let figure = ReportFigure(images: images, layout: .labelledRows(["before", "after"]))
        let html = HTMLReportRenderer().renderFigure(figure)
        XCTAssertTrue(html.contains("grid-template-columns:max-content repeat(2,max-content)"))
        let order = html.components(separatedBy: "\n").filter { $0.hasPrefix("<div class=\"row-label\">") || $0.hasPrefix("<div class=\"image\">") || $0 == "<div></div>" }
            .map { $0.hasPrefix("<div class=\"row-label\">") ? "label" : $0 == "<div></div>" ? "pad" : "image" }
        XCTAssertEqual(order, ["label", "image", "image", "label", "image", "pad"])
        let rows = ReportFigure.rows([("a", images), ("b", Array(images.prefix(2)))])
        XCTAssertEqual(rows.images.count, 4, "rows are cut to the shortest")
    }

    func testBase64MatchesFoundationForEveryPaddingLength() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 77 + 3) }
            XCTAssertEqual(Base64.encode(bytes), Data(bytes).base64EncodedString())
        }
    }

    func testNonPNGBytesAreRejected() {
        XCTAssertThrowsError(try EmbeddedImage(png: Array("GIF89a".utf8), alt: "")) {
            XCTAssertEqual($0 as? EmbeddedImage.Failure, .notPNG)
        }
    }

    func testEveryNumberCarriesTheDigestOfItsArtifact() {
        let digest = Digest.of("artifact")
        var table = ReportTable(columns: [.init("metric"), .init("value", format: .fixed(2))], showsProvenance: true)
        table.addRow(["wga", .number(0.78125, from: digest)])
        let html = HTMLReportRenderer().renderTable(table)
        XCTAssertTrue(html.contains("<td class=\"num\" title=\"from artifact \(digest.short) (sha256:\(digest.hex))\" data-digest=\"\(digest.hex)\">0.78</td>"))
        XCTAssertTrue(html.contains("<td class=\"provenance\"><code class=\"digest\" title=\"sha256:\(digest.hex)\">\(digest.short)</code></td>"))
        XCTAssertTrue(html.contains("<th class=\"num\">value</th>"))
    }

    func testProvenanceColumnListsEachDistinctDigestOnce() {
        let a = Digest.of("a"), b = Digest.of("b")
        let table = ReportTable(columns: [.init("x"), .init("y"), .init("z")], showsProvenance: true)
        XCTAssertEqual(table.provenance(ofRow: [.number(1, from: a), .number(2, from: b), .number(3, from: a)]), [a, b])
    }

    func testShortRowsArePaddedAndTonesBecomeClasses() {
        let table = ReportTable(columns: [.init("a"), .init("b")], rows: [[.number(1, tone: .bad)]])
        let html = HTMLReportRenderer().renderTable(table)
        XCTAssertTrue(html.contains("<tr><td class=\"num tone-bad\">1</td><td></td></tr>"))
    }

    func testCodeBlockIsEscapedVerbatim() {
        let html = HTMLReportRenderer().renderBlock(.code("a: \"<b>\"\n</pre><script>x</script>", language: "yaml"))
        XCTAssertEqual(html, "<div class=\"code-label\">yaml</div>\n<pre class=\"code\"><code>a: &quot;&lt;b&gt;&quot;\n&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;</code></pre>\n")
    }

    func testPlanTableShowsHitsAndMissesWithASummary() {
        let plan = PlanTable(rows: [
            .init(stage: "a", operation: "op", key: Digest.of("1"), status: .cached),
            .init(stage: "b", operation: "op", key: Digest.of("2"), status: .ran, seconds: 65),
            .init(stage: "c", operation: "op", key: Digest.of("3"), status: .cached),
        ])
        XCTAssertEqual(plan.summary, "3 stages: 2 cached, 1 ran")
        let html = HTMLReportRenderer().renderPlan(plan)
        XCTAssertEqual(html.components(separatedBy: "status-cached\">hit<").count - 1, 2)
        XCTAssertTrue(html.contains("status-ran\">miss<"))
        XCTAssertTrue(html.contains("1m05s"))
    }

    func testSectionsWithTheSameTitleGetDistinctAnchors() {
        let document = ReportDocument(title: "t", sections: [
            ReportSection(title: "Results", subsections: [ReportSection(title: "Results")]),
            ReportSection(title: "Results"),
        ])
        let html = document.html()
        XCTAssertTrue(html.contains("<section id=\"results\">\n<h2>"))
        XCTAssertTrue(html.contains("<section id=\"results-2\">\n<h3>"))
        XCTAssertTrue(html.contains("<section id=\"results-3\">\n<h2>"))
        XCTAssertTrue(html.contains("<a href=\"#results-3\">"))
    }

    func testTitleAndTextAreEscaped() {
        let document = ReportDocument(title: "<b>run</b>", sections: [ReportSection(title: "a & b", blocks: [.paragraph("x < y")])])
        let html = document.html()
        XCTAssertTrue(html.contains("<title>&lt;b&gt;run&lt;/b&gt;</title>"))
        XCTAssertTrue(html.contains("<h2>a &amp; b</h2>"))
        XCTAssertTrue(html.contains("<p>x &lt; y</p>"))
    }

    func testThemeFollowsPrefersColorScheme() {
        let html = ReportDocument(title: "t").html()
        XCTAssertTrue(html.contains("@media (prefers-color-scheme:dark)"))
        XCTAssertTrue(html.contains("<meta name=\"color-scheme\" content=\"light dark\"/>"))
    }

    func testSameDocumentGivesTheSameBytes() {
        XCTAssertEqual(SampleReport.document().html(), SampleReport.document().html())
    }
}

final class RunReportTests: XCTestCase {
    func testRunReportLeadsWithTheDescriptionAndTheFirstResultThenRunPlanAndFile() {
        let plan = PlanTable(rows: [.init(stage: "erm", operation: "train", key: Digest.of("k"), status: .failed)])
        let report = RunReport(experimentName: "exp", experimentPath: "experiments/exp.yaml", experimentSource: "a: <1>",
                               runID: "3f2a", plan: plan, description: ["Does DFR beat ERM?"], summary: [KeyValue("wga", .number(0.5))],
                               results: [ReportSection(title: "DFR", blocks: [.paragraph("chart")])])
        let document = report.document()
        XCTAssertEqual(document.sections.map(\.title), ["DFR", "Run", "Plan", "Experiment file"])
        guard case .lead(let question) = document.sections[0].blocks[0], case .paragraph = document.sections[0].blocks[1] else {
            return XCTFail("the description must open the first result section")
        }
        XCTAssertEqual(question, "Does DFR beat ERM?")
        let empty = RunReport(experimentName: "exp", experimentPath: "e.yaml", experimentSource: "", plan: plan, description: ["Q"]).document()
        XCTAssertEqual(empty.sections.map(\.title), ["Run", "Plan", "Experiment file"])
        XCTAssertEqual(document.subtitle, "run 3f2a · 1 stage: 1 failed")
        let html = document.html()
        assertWellFormedXML(html)
        XCTAssertTrue(html.contains("<code>a: &lt;1&gt;</code>"))
        XCTAssertTrue(html.contains("note tone-bad"))
    }
}
