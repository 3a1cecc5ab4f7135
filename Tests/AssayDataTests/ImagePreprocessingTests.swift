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

    private func jpeg(width: Int, height: Int, seed: Int) throws -> URL {
        let url = TestData.scratchDirectory("scaled-\(width)x\(height)-\(seed)").appendingPathComponent("image.jpg")
        try JPEGCodec.write(TestData.gradient(width: width, height: height, channels: 3, seed: seed), to: url, quality: 90)
        return url
    }

    func testScaledDecodingRoundsTheSizeUp() throws {
        let data = try Data(contentsOf: jpeg(width: 21, height: 15, seed: 2))
        XCTAssertEqual(JPEGCodec.size(of: data).map { [$0.width, $0.height] }, [21, 15])
        for (d, w, h) in [(1, 21, 15), (2, 11, 8), (4, 6, 4), (8, 3, 2)] {
            let image = try JPEGCodec.decode(data, channels: 3, path: "", scaleDenominator: d)
            XCTAssertEqual([image.width, image.height], [w, h], "1/\(d)")
        }
        XCTAssertNil(JPEGCodec.size(of: Data([0xFF, 0xD8, 0x00])))
    }

    /// A JPEG resized to at most half its size is decoded at the smallest libjpeg scale that stays
    /// at least the target (here 1/4: 64 × 48 → 16 × 12), then resized; the same bytes every time.
    func testAResizeToHalfOrLessDecodesAtAReducedScale() throws {
        let url = try jpeg(width: 64, height: 48, seed: 3)
        let data = try Data(contentsOf: url)
        let preprocessing = ImagePreprocessing(channels: 3, resize: .exact(height: 12, width: 16))
        let loaded = try preprocessing.load(url)
        XCTAssertEqual(loaded, try JPEGCodec.decode(data, channels: 3, path: "", scaleDenominator: 4))   // 16 × 12 already: no resize
        XCTAssertNotEqual(loaded, Resampling.bilinear(try JPEGCodec.decode(data, channels: 3, path: ""), height: 12, width: 16))
        XCTAssertEqual(loaded, try preprocessing.load(url))
        // 1/2 (32 × 24) for a 20 × 14 target; 1/4 would be 16 × 12, too small.
        let larger = try ImagePreprocessing(channels: 1, resize: .exact(height: 14, width: 20)).load(url)
        XCTAssertEqual(larger, Resampling.bilinear(try JPEGCodec.decode(data, channels: 1, path: "", scaleDenominator: 2), height: 14, width: 20))
    }

    /// The shorter-side size comes from the full image, so scaling the decode changes no shape.
    func testShorterSideTargetIsComputedFromTheFullSize() throws {
        let url = try jpeg(width: 50, height: 37, seed: 4)
        let image = try ImagePreprocessing(channels: 3, resize: .shorterSide(12), centerCrop: ImageSize(height: 10, width: 10)).load(url)
        XCTAssertEqual(image.shape, SampleShape(channels: 3, height: 10, width: 10))
        let resized = try ImagePreprocessing(channels: 3, resize: .shorterSide(12)).load(url)
        XCTAssertEqual([resized.width, resized.height], [16, 12])    // 50 · 12/37 = 16.2
    }

    /// A crop before the resize (CelebA's recipe) or a resize to more than half decodes at full size, as before.
    func testCropFirstOrAMildResizeDecodesAtFullSize() throws {
        let url = try jpeg(width: 40, height: 48, seed: 5)
        let full = try JPEGCodec.decode(Data(contentsOf: url), channels: 3, path: "")
        let cropFirst = ImagePreprocessing(channels: 3, resize: .exact(height: 8, width: 8), centerCrop: ImageSize(height: 40, width: 40), order: .cropThenResize)
        XCTAssertEqual(try cropFirst.load(url), try cropFirst.apply(full))
        let mild = ImagePreprocessing(channels: 3, resize: .exact(height: 30, width: 25))
        XCTAssertEqual(try mild.load(url), try mild.apply(full))
    }
}
