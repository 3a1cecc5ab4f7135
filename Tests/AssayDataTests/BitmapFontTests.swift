@testable import AssayData
import XCTest

final class BitmapFontTests: XCTestCase {
    func testEveryGlyphIsSevenRowsOfFiveBits() {
        for (character, rows) in BitmapFont.glyphs {
            XCTAssertEqual(rows.count, BitmapFont.glyphHeight, "\(character)")
            XCTAssertTrue(rows.allSatisfy { $0 < 32 }, "\(character)")
        }
    }

    func testTextIsDrawnAtItsPlaceAndScale() {
        var image = RasterImage(width: 20, height: 10, channels: 1, fill: 255)
        BitmapFont.draw("T", into: &image, x: 1, y: 1, color: [0], scale: 1)
        // T: the top row is five pixels wide, then a one-pixel stem in the middle column.
        XCTAssertEqual((1...5).map { image.pixels[1 * 20 + $0] }, [0, 0, 0, 0, 0])
        XCTAssertEqual(image.pixels[1 * 20 + 0], 255)
        XCTAssertEqual(image.pixels[4 * 20 + 3], 0)
        XCTAssertEqual(image.pixels[4 * 20 + 2], 255)
        XCTAssertEqual(image.pixels.filter { $0 == 0 }.count, 5 + 6)
        var big = RasterImage(width: 20, height: 20, channels: 3, fill: 255)
        BitmapFont.draw("t", into: &big, x: 0, y: 0, color: [200, 0, 0], scale: 2)
        XCTAssertEqual(big.pixels.filter { $0 == 200 }.count, 4 * (5 + 6), "lower case is drawn as upper case, 2×2 per pixel")
        XCTAssertEqual(BitmapFont.width("AB", scale: 2), 22)
    }

    func testUnknownCharactersBecomeQuestionMarksAndClipAtTheEdge() {
        var a = RasterImage(width: 8, height: 8, channels: 1, fill: 255), b = a
        BitmapFont.draw("τ", into: &a, x: 0, y: 0, color: [0])
        BitmapFont.draw("?", into: &b, x: 0, y: 0, color: [0])
        XCTAssertEqual(a, b)
        var edge = RasterImage(width: 3, height: 3, channels: 1, fill: 255)
        BitmapFont.draw("W", into: &edge, x: -2, y: -2, color: [0])
        XCTAssertTrue(edge.pixels.contains(0))
    }
}
