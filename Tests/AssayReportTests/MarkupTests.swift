import XCTest
@testable import AssayReport

final class MarkupTests: XCTestCase {
    func testEscapesTheFiveSpecialCharacters() {
        XCTAssertEqual(Markup.escape(#"<a href="x">Tom & 'Jerry'</a>"#),
                       "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
    }

    func testReplacesControlCharactersThatXMLForbids() {
        XCTAssertEqual(Markup.escape("a\u{01}b\tc\n"), "a\u{FFFD}b\tc\n")
    }

    func testLeavesUnicodeAlone() {
        XCTAssertEqual(Markup.escape("Δ accuracy ≥ 0.9 — ✓"), "Δ accuracy ≥ 0.9 — ✓")
    }

    func testSlugKeepsLettersAndDigitsAndCollapsesTheRest() {
        XCTAssertEqual(Markup.slug("Worst-group accuracy (DFR, all layers)"), "worst-group-accuracy-dfr-all-layers")
        XCTAssertEqual(Markup.slug("  !!  "), "section")
    }
}
