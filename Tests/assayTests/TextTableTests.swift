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

final class TextTableWidthTests: XCTestCase {
    func testCellsArePaddedByCharactersNotBytesAndKeysStayLeftAligned() {
        var table = TextTable(["stage", "key", "n"])
        table.add(["naïve", "3f2a9c01e5b7", "7"])
        table.add(["b", "-", "inf"])
        XCTAssertEqual(table.render(), """
            stage  key           n
            -----  ------------  ---
            naïve  3f2a9c01e5b7    7
            b      -             inf
            """)
    }
}
