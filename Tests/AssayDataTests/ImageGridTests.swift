import XCTest
@testable import AssayData

final class ImageGridTests: XCTestCase {
    func testTilesLandAtTheirGridPositions() throws {
        let data = TestData.squares(count: 5, size: 8)
        let grid = ImageGrid.compose(data, indices: [0, 1, 2, 3, 4], columns: 3, padding: 1, paddingValue: 7)
        XCTAssertEqual(grid.width, 3 * 8 + 4)
        XCTAssertEqual(grid.height, 2 * 8 + 3)
        XCTAssertEqual(grid.pixels[0], 7)
        // Tile 4 is row 1, column 1: top-left at (1 + 8 + 1, 1 + 8 + 1).
        let tile = Array(data.image(at: 4))
        for y in 0 ..< 8 { for x in 0 ..< 8 { XCTAssertEqual(grid.pixels[(10 + y) * grid.width + 10 + x], tile[y * 8 + x]) } }
        let png = try PNGCodec.encode(grid)
        XCTAssertEqual(try PNGCodec.decode(png, channels: 1, path: "grid"), grid)
    }

    func testFloatImagesAreAutoContrastedPerImageOrShared() {
        let shape = SampleShape(channels: 1, height: 1, width: 3)
        let values: [Float] = [-1, 0, 1, 10, 20, 30]
        let perImage = ImageGrid.compose(floatImages: values, shape: shape, columns: 2, contrast: .perImage, padding: 0)
        XCTAssertEqual(perImage.pixels, [0, 128, 255, 0, 128, 255])
        let shared = ImageGrid.compose(floatImages: values, shape: shape, columns: 2, contrast: .shared, padding: 0)
        XCTAssertEqual(shared.pixels, [0, 8, 16, 90, 173, 255])  // 255·(x + 1)/31, rounded
        let constant = ImageGrid.compose(floatImages: [2, 2, 2], shape: shape, columns: 1, padding: 0)
        XCTAssertEqual(constant.pixels, [128, 128, 128])
    }
}
