import XCTest
@testable import AssayData

final class PNGCodecTests: XCTestCase {
    func testGreyAndRGBRoundTripExactly() throws {
        for channels in [1, 3] {
            let image = TestData.gradient(width: 13, height: 7, channels: channels, seed: channels)
            let data = try PNGCodec.encode(image)
            XCTAssertEqual(Array(data.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            XCTAssertEqual(try PNGCodec.decode(data, channels: channels, path: "mem"), image)
        }
    }

    func testEncodingIsDeterministic() throws {
        let image = TestData.gradient(width: 20, height: 20, channels: 3, seed: 5)
        XCTAssertEqual(try PNGCodec.encode(image), try PNGCodec.encode(image))
    }

    func testGreyFileReadAsRGBReplicatesChannels() throws {
        let grey = TestData.gradient(width: 5, height: 4, channels: 1, seed: 2)
        let rgb = try PNGCodec.decode(try PNGCodec.encode(grey), channels: 3, path: "mem")
        XCTAssertEqual(rgb, grey.asRGB())
    }

    func testPaletteIndicesAreReadWithoutColourConversion() throws {
        let indices = RasterImage(width: 4, height: 2, channels: 1, pixels: [0, 1, 2, 3, 3, 2, 1, 0])
        let palette: [[UInt8]] = [[0, 0, 0], [200, 10, 10], [10, 200, 10], [10, 10, 200]]
        let data = try PNGCodec.encodeIndexed(indices, palette: palette)
        XCTAssertEqual(try PNGCodec.decodeIndices(data, path: "mem"), indices)
        // Grey index images read back their values too.
        XCTAssertEqual(try PNGCodec.decodeIndices(try PNGCodec.encode(indices), path: "mem"), indices)
    }

    func testCorruptFileErrorNamesThePath() throws {
        let dir = TestData.scratchDirectory("png")
        let url = dir.appendingPathComponent("broken.png")
        var data = try PNGCodec.encode(TestData.gradient(width: 8, height: 8, channels: 1, seed: 0))
        data = data.prefix(40)
        try data.write(to: url)
        XCTAssertThrowsError(try PNGCodec.read(url, channels: 1)) { error in
            guard case let .imageDecoding(path, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
        }
    }

    /// A damaged ancillary chunk is only a warning to libpng's simplified API; the file is damaged all the same.
    func testPNGWithADamagedChunkIsAnErrorNamingTheFile() throws {
        let dir = TestData.scratchDirectory("png-damaged")
        let url = dir.appendingPathComponent("damaged.png")
        var bytes = [UInt8](try PNGCodec.encode(TestData.gradient(width: 8, height: 8, channels: 3, seed: 1)))
        // After the signature (8 bytes) and IHDR (25): a tEXt chunk whose CRC is wrong.
        let text = Array("tEXtComment\u{0}hello".utf8)
        bytes.insert(contentsOf: [0, 0, 0, UInt8(text.count - 4)] + text + [0xAB, 0xAB, 0xAB, 0xAB], at: 33)
        try Data(bytes).write(to: url)
        XCTAssertThrowsError(try PNGCodec.read(url, channels: 3)) { error in
            XCTAssertEqual(error as? DataError, .imageDecoding(path: url.path, reason: "tEXt: CRC error"))
        }
    }

    /// An intact file whose metadata libpng distrusts (here a gAMA chunk of gamma 0: libpng warns
    /// "gAMA: gamma value out of range" and ignores it, as it does for the sRGB/iCCP profiles of
    /// many real photographs) is not damage: it decodes.
    func testPNGWithAWarningAboutIntactMetadataDecodes() throws {
        let url = TestData.scratchDirectory("png-gamma").appendingPathComponent("gamma.png")
        // 2×2 RGB, every pixel (10, 20, 30), with gAMA = 0 (CRCs correct).
        try Data([
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x04, 0x67, 0x41, 0x4d, 0x41, 0x00, 0x00, 0x00, 0x00, 0x8b, 0x25, 0x60, 0x4d, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xe0, 0x12, 0x91, 0x03, 0x22, 0x06, 0x08, 0x05, 0x00, 0x06, 0x4e, 0x00, 0xf1, 0x38, 0x63, 0x32, 0x81, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
        ]).write(to: url)
        let image = try PNGCodec.read(url, channels: 3)
        XCTAssertEqual(image.pixels, [UInt8]([10, 20, 30] + [10, 20, 30] + [10, 20, 30] + [10, 20, 30]))
    }

    func testReadingAFileGivesExactlyItsBytesAtAnySize() throws {
        let dir = TestData.scratchDirectory("read-file")
        for size in [0, 1, 4095, 4096, 100_003] {
            let url = dir.appendingPathComponent("f\(size)")
            let bytes = Data((0 ..< size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ size) })
            try bytes.write(to: url)
            XCTAssertEqual(try PNGCodec.readFile(url, role: "image"), bytes, "\(size) bytes")
        }
    }

    func testReadingAMissingFileOrADirectoryNamesThePath() throws {
        let dir = TestData.scratchDirectory("read-file-errors")
        let missing = dir.appendingPathComponent("absent.jpg")
        XCTAssertThrowsError(try PNGCodec.readFile(missing, role: "image")) { error in
            XCTAssertEqual(error as? DataError, .missingFile(path: missing.path, role: "image"))
        }
        XCTAssertThrowsError(try PNGCodec.readFile(dir, role: "image")) { error in
            XCTAssertEqual(error as? DataError, .unreadableFile(path: dir.path, reason: "it is a directory, not a file"))
        }
    }
}
