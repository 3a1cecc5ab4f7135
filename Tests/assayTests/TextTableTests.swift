import XCTest

@testable import assay

final class TextTableTests: XCTestCase {
    func testNumbersDurationsAndPercentagesAlignRightAndWordsLeft() {
        var table = TextTable(["stage", "value"])
        table.add(["datasets.d1", "1.5s"])
        table.add(["s", "12%"])
        table.add(["train", "0.9531"])
        table.add(["nan", "x"])
        XCTAssertEqual(table.render(), """
            stage        value
            -----------  ------
            datasets.d1    1.5s
            s               12%
            train        0.9531
                    nan  x
            """)
    }
}
