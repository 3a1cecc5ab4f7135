import XCTest
@testable import AssayData

final class MaskRenderingTests: XCTestCase {
    func testPaletteColoursAreDistinctAndBackgroundIsBlack() {
        let palette = MaskRendering.palette(count: 32)
        XCTAssertEqual(palette[0], [0, 0, 0])
        XCTAssertEqual(palette[1], [128, 0, 0])
        XCTAssertEqual(Set(palette).count, 32)
    }

    func testOverlayBlendsClassPixelsAndLeavesBackgroundAndVoid() {
        let image = RasterImage(width: 3, height: 1, channels: 1, pixels: [100, 100, 100])
        let palette: [[UInt8]] = [[0, 0, 0], [200, 0, 0]]
        let out = MaskRendering.overlay([0, 1, 9], on: image, palette: palette, alpha: 0.5, voidLabel: 9)
        XCTAssertEqual(out.pixels, [100, 100, 100, 150, 50, 50, 100, 100, 100])
    }

    func testComparisonPanelHasThreeTilesAndWritesAsPNG() throws {
        let image = TestData.gradient(width: 4, height: 3, channels: 1, seed: 0)
        let mask: [UInt8] = Array(repeating: 1, count: 12)
        let panel = MaskRendering.comparison(image: image, prediction: mask, groundTruth: mask, palette: MaskRendering.palette(count: 2))
        XCTAssertEqual(panel.channels, 3)
        XCTAssertEqual(panel.width, 3 * 4 + 4 * 2)
        XCTAssertEqual(panel.height, 3 + 2 * 2)
        let colour = MaskRendering.colourize(mask, height: 3, width: 4, palette: MaskRendering.palette(count: 2))
        XCTAssertEqual(Array(colour.pixels.prefix(3)), [128, 0, 0])
        XCTAssertEqual(try PNGCodec.decode(try PNGCodec.encode(panel), channels: 3, path: "panel"), panel)
    }
}
