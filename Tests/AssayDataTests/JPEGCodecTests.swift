import XCTest
@testable import AssayData

final class JPEGCodecTests: XCTestCase {
    func testRGBRoundTripIsCloseAtHighQuality() throws {
        // A smooth image: JPEG's error is small away from hard edges.
        var pixels: [UInt8] = []
        for y in 0 ..< 24 { for x in 0 ..< 32 { for c in 0 ..< 3 { pixels.append(UInt8(x * 3 + y * 3 + c * 30)) } } }
        let image = RasterImage(width: 32, height: 24, channels: 3, pixels: pixels)
        let data = try JPEGCodec.encode(image, quality: 95)
        XCTAssertEqual(Array(data.prefix(2)), [0xFF, 0xD8])
        let back = try JPEGCodec.decode(data, channels: 3, path: "mem")
        XCTAssertEqual(back.width, 32)
        XCTAssertEqual(back.height, 24)
        let meanError = zip(back.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / image.pixels.count
        XCTAssertLessThan(meanError, 4)
    }

    func testGreyDecodeOfColourFileHasOneChannel() throws {
        let image = TestData.gradient(width: 16, height: 16, channels: 3, seed: 2)
        let grey = try JPEGCodec.decode(try JPEGCodec.encode(image), channels: 1, path: "mem")
        XCTAssertEqual(grey.channels, 1)
        XCTAssertEqual(grey.pixels.count, 256)
    }

    func testCorruptJPEGIsATypedErrorNotACrash() throws {
        let dir = TestData.scratchDirectory("jpeg")
        let url = dir.appendingPathComponent("broken.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3]).write(to: url)
        XCTAssertThrowsError(try ImageFile.read(url, channels: 3)) { error in
            guard case let .imageDecoding(path, reason)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertFalse(reason.isEmpty)
        }
    }

    /// libjpeg only warns on a truncated file ("Premature end of JPEG file") and fills the rest with grey.
    func testJPEGTruncatedTo700BytesIsAnErrorNamingTheFile() throws {
        let dir = TestData.scratchDirectory("jpeg-truncated")
        let url = dir.appendingPathComponent("bird.jpg")
        let whole = try JPEGCodec.encode(TestData.gradient(width: 96, height: 96, channels: 3, seed: 5), quality: 95)
        XCTAssertGreaterThan(whole.count, 2000)
        try whole.prefix(700).write(to: url)
        XCTAssertThrowsError(try ImageFile.read(url, channels: 3)) { error in
            XCTAssertEqual(error as? DataError, .imageDecoding(path: url.path, reason: "Premature end of JPEG file"))
        }
    }
}

