import XCTest
@testable import AssayReport

final class PNGEncoderTests: XCTestCase {
    func testChecksumsMatchPublishedTestVectors() {
        XCTAssertEqual(PNGEncoder.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(PNGEncoder.crc32(Array("IEND".utf8)), 0xAE42_6082)
        XCTAssertEqual(PNGEncoder.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
    }

    func testHeaderCarriesSizeAndColourType() throws {
        let png = try PNGEncoder.encode(width: 3, height: 2, channels: 4, pixels: [UInt8](repeating: 9, count: 24))
        XCTAssertEqual(Array(png[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(Array(png[12..<16]), Array("IHDR".utf8))
        XCTAssertEqual(Array(png[16..<25]), [0, 0, 0, 3, 0, 0, 0, 2, 8])
        XCTAssertEqual(png[25], 6)
        XCTAssertEqual(Array(png.suffix(8)), Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
        XCTAssertEqual(EmbeddedImage.pngSize(png)?.width, 3)
        XCTAssertEqual(EmbeddedImage.pngSize(png)?.height, 2)
    }

    func testStoredBlocksCarryTheFilteredScanlines() {
        let data = (0..<70_000).map { UInt8(truncatingIfNeeded: $0) }
        let stream = PNGEncoder.zlibStored(data)
        // Two blocks: 65 535 bytes (not last) then 4 465 bytes (last), each with a 5-byte header.
        XCTAssertEqual(stream.count, 2 + 5 + 65_535 + 5 + 4_465 + 4)
        XCTAssertEqual(Array(stream[2..<7]), [0, 0xFF, 0xFF, 0, 0])
        XCTAssertEqual(stream[2 + 5 + 65_535], 1)
        XCTAssertEqual(Array(stream[7..<12]), Array(data[0..<5]))
    }

    func testRejectsWrongSizesAndChannelCounts() {
        XCTAssertThrowsError(try PNGEncoder.encode(width: 2, height: 2, channels: 3, pixels: [1, 2, 3])) {
            XCTAssertEqual($0 as? PNGEncoder.Failure, .sizeMismatch)
        }
        XCTAssertThrowsError(try PNGEncoder.encode(width: 1, height: 1, channels: 2, pixels: [1, 2])) {
            XCTAssertEqual($0 as? PNGEncoder.Failure, .unsupportedChannels(2))
        }
    }
}
