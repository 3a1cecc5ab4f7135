import XCTest
@testable import AssayReport

final class RasterImageTests: XCTestCase {
    func testChannelsFirstValuesAreInterleavedAndMinMaxScaled() throws {
        // Two pixels, planar: R = [0, 1], G = [2, 3], B = [4, 4].
        let image = try RasterImage(values: [0, 1, 2, 3, 4, 4] as [Float], width: 2, height: 1, channels: 3, layout: .channelsFirst)
        XCTAssertEqual(image.pixels, [0, 128, 255, 64, 191, 255])
    }

    func testUnitIntervalClampsAndNonFiniteBecomesBlack() throws {
        let image = try RasterImage(values: [-1, 0.5, 2, .nan], width: 4, height: 1, channels: 1, layout: .channelsLast, scaling: .unitInterval)
        XCTAssertEqual(image.pixels, [0, 128, 255, 0])
    }

    func testConstantImageDoesNotDivideByZero() throws {
        let image = try RasterImage(values: [Double](repeating: 3, count: 4), width: 2, height: 2, channels: 1, layout: .channelsLast)
        XCTAssertEqual(image.pixels, [0, 0, 0, 0])
    }

    func testOverlayBlendsClassColoursAndSkipsIgnoredPixels() throws {
        let grey = try RasterImage(width: 3, height: 1, channels: 1, pixels: [100, 100, 100])
        let overlay = try grey.overlaying(classMask: [0, 1, -1], palette: [[0, 0, 0], [255, 0, 0]], opacity: 0.5)
        XCTAssertEqual(overlay.channels, 3)
        XCTAssertEqual(overlay.pixels, [50, 50, 50, 178, 50, 50, 100, 100, 100])
        XCTAssertThrowsError(try grey.overlaying(classMask: [0]))
        let defaultPalette = try grey.overlaying(classMask: [0, 0, 0])
        XCTAssertEqual(defaultPalette.pixels, [UInt8](repeating: 100, count: 9), "background stays uncoloured")
    }

    func testPaletteIsDeterministicAndDistinct() {
        let palette = RasterImage.classPalette(count: 12)
        XCTAssertEqual(palette[0], [])
        XCTAssertEqual(Set(palette).count, 12)
        XCTAssertEqual(palette, RasterImage.classPalette(count: 12))
    }

    func testEmbeddedImageKeepsTheSize() throws {
        let image = try RasterImage(values: [Float](repeating: 0.2, count: 6 * 4 * 3), width: 6, height: 4, channels: 3, layout: .channelsFirst)
        let embedded = try image.embedded(alt: "x")
        XCTAssertEqual(embedded.pixelWidth, 6)
        XCTAssertEqual(embedded.pixelHeight, 4)
    }

    func testRejectsMismatchedSizes() {
        XCTAssertThrowsError(try RasterImage(values: [Float](repeating: 0, count: 5), width: 2, height: 2, channels: 1, layout: .channelsLast))
        XCTAssertThrowsError(try RasterImage(width: 1, height: 1, channels: 2, pixels: [0, 0]))
    }
}
