import XCTest
@testable import AssayData

final class ImagePreprocessingTests: XCTestCase {
    func testCropThenResizeDiffersFromResizeThenCrop() throws {
        let image = TestData.gradient(width: 20, height: 16, channels: 3, seed: 1)
        let cropFirst = ImagePreprocessing(channels: 3, resize: .exact(height: 8, width: 8), centerCrop: ImageSize(height: 12, width: 12), order: .cropThenResize)
        let out = try cropFirst.apply(image)
        XCTAssertEqual(out.shape, SampleShape(channels: 3, height: 8, width: 8))
        XCTAssertEqual(cropFirst.outputShape, out.shape)
        let expected = Resampling.bilinear(Resampling.crop(image, top: 2, left: 4, height: 12, width: 12), height: 8, width: 8)
        XCTAssertEqual(out, expected)
        let resizeFirst = ImagePreprocessing(channels: 3, resize: .exact(height: 8, width: 8), centerCrop: ImageSize(height: 12, width: 12))
        XCTAssertThrowsError(try resizeFirst.apply(image))
    }

    func testBilinearHalvingAveragesPixelPairs() {
        let image = RasterImage(width: 4, height: 2, channels: 1, pixels: [0, 100, 200, 50, 0, 100, 200, 50])
        // Half-pixel centres: output x samples source 0.5 and 2.5, the averages of neighbours.
        XCTAssertEqual(Resampling.bilinear(image, height: 1, width: 2).pixels, [50, 125])
    }
}
