import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses markup as XML and fails the test with the parser's message if it is not well-formed.
func assertWellFormedXML(_ markup: String, file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try XMLDocument(xmlString: markup, options: [])
    } catch {
        XCTFail("not well-formed XML: \(error)\n\(markup.prefix(600))", file: file, line: line)
    }
}

/// No coordinate or text became NaN or infinity.
func assertNoNonFiniteNumbers(_ markup: String, file: StaticString = #filePath, line: UInt = #line) {
    let lowered = markup.lowercased()
    for bad in ["nan", "inf\"", "infinity", "=\"-inf", "=\"inf"] where lowered.contains(bad) {
        XCTFail("output contains \(bad)", file: file, line: line)
    }
}

/// Every `<svg …>…</svg>` element in a page.
func svgElements(in html: String) -> [String] {
    var out: [String] = []
    var rest = html[...]
    while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
        out.append(String(rest[start.lowerBound..<end.upperBound]))
        rest = rest[end.upperBound...]
    }
    return out
}
