import AssaySupport
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

    /// Waterbirds-like pixels (CUB's typical 500 × 375): gradients, a checkerboard and XOR detail.
    private func photo(width: Int, height: Int) -> RasterImage {
        var image = RasterImage(width: width, height: height, channels: 3, fill: 0)
        for y in 0 ..< height { for x in 0 ..< width { for c in 0 ..< 3 {
            image.pixels[(y * width + x) * 3 + c] = UInt8(truncatingIfNeeded: (x * (c + 1) + y * 5 + ((x / 16 + y / 16) % 2) * 40 * c) ^ 3)
        } } }
        return image
    }

    /// The bytes the loaders store, pinned: the same on every machine and every run. libjpeg-turbo's
    /// ISLOW inverse DCT (full size and scaled), upsampling and colour conversion are integer code whose
    /// SIMD versions give the C versions' bytes, libpng is exact, and the resize is integer. A deliberate
    /// change of these bytes updates the digests and bumps the versions of `load-image-folder`,
    /// `load-celeba` and `load-camvid` (their artifacts change).
    func testDecodedAndResizedBytesMatchPinnedDigests() throws {
        let directory = TestData.scratchDirectory("pinned-decoding")
        let jpeg = directory.appendingPathComponent("photo.jpg"), png = directory.appendingPathComponent("photo.png")
        let face = directory.appendingPathComponent("face.jpg")
        try JPEGCodec.write(photo(width: 500, height: 375), to: jpeg, quality: 90)
        try PNGCodec.write(photo(width: 500, height: 375), to: png)
        try JPEGCodec.write(photo(width: 178, height: 218), to: face, quality: 95)
        let cases: [(name: String, url: URL, preprocessing: ImagePreprocessing, digest: String)] = [
            ("JPEG 500×375 → 224×224, full-size decode", jpeg, ImagePreprocessing(channels: 3, resize: .exact(height: 224, width: 224)), "75b14cf928225440f95d58ca9ab54a2d9beb942deb8fb4f2e5aef51c8148c177"),
            ("JPEG 500×375 → 112×112, decoded at 1/2", jpeg, ImagePreprocessing(channels: 3, resize: .exact(height: 112, width: 112)), "d9f0f83e3d6020c96723d37ea52779586776b90c6d126da638fc9994ff5bb3d6"),
            ("JPEG 500×375 grey → 60×80, decoded at 1/4", jpeg, ImagePreprocessing(channels: 1, resize: .exact(height: 60, width: 80)), "d912f07869605b43acee3ca7083e8d8009fa56ec95edad53f928aed4238ab805"),
            ("PNG 500×375 → 224×224", png, ImagePreprocessing(channels: 3, resize: .exact(height: 224, width: 224)), "fadcd2fadbf6cb19decf9505cc91a103a568bdde478584600db9297e1372ace9"),
            ("JPEG 500×375 shorter side 256, centre crop 224", jpeg,
             ImagePreprocessing(channels: 3, resize: .shorterSide(256), centerCrop: ImageSize(height: 224, width: 224)), "8f53511226ce804ba6d09766693f3e9a9cc90496fc3cba4c72db956f8f3d4174"),
            ("JPEG 178×218 centre crop 178, then 224×224 (CelebA)", face, CelebALoader.standardPreprocessing, "7afe82503799ed2c5ba0d8875958b8238cd899b9dad57be9435683a95853239b"),
        ]
        for item in cases {
            let decoded = try ImageBatchDecoder.decode([item.url], preprocessing: item.preprocessing)
            var hasher = SHA256Hasher()
            hasher.update(decoded.pixels)
            XCTAssertEqual(hasher.finalize().hex, item.digest, item.name)
            // Decoding again, on several threads with other files, gives the same bytes.
            let again = try DataWorkers.withWorkers(2) { try ImageBatchDecoder.decode([item.url, jpeg, png, item.url], preprocessing: item.preprocessing) }
            if decoded.shape == again.shape {
                XCTAssertEqual(Array(again.pixels.prefix(decoded.pixels.count)), decoded.pixels, item.name)
                XCTAssertEqual(Array(again.pixels.suffix(decoded.pixels.count)), decoded.pixels, item.name)
            }
        }
    }
}
