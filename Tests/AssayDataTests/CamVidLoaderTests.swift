import Foundation
import XCTest
@testable import AssayData

final class CamVidLoaderTests: XCTestCase {
    private let classes = ["sky", "road", "car"]
    private let colours: [[UInt8]] = [[128, 128, 128], [128, 64, 128], [64, 0, 128]]

    /// Two 6×4 images with label maps: left third sky, middle road, right car, one void pixel.
    private func makeFixture(colourLabels: Bool) throws -> (images: URL, labels: URL, expected: [UInt8]) {
        let root = TestData.scratchDirectory(colourLabels ? "camvid-colour" : "camvid-index")
        let images = root.appendingPathComponent("train"), labels = root.appendingPathComponent("trainannot")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: labels, withIntermediateDirectories: true)
        var expected: [UInt8] = []
        for i in 0 ..< 2 {
            try PNGCodec.write(TestData.gradient(width: 6, height: 4, channels: 3, seed: i), to: images.appendingPathComponent("f\(i).png"))
            var mask = (0 ..< 24).map { UInt8(($0 % 6) / 2) }
            mask[i] = 11
            expected += mask
            if colourLabels {
                let rgb = mask.flatMap { $0 < 3 ? colours[Int($0)] : [0, 0, 0] }
                try PNGCodec.write(RasterImage(width: 6, height: 4, channels: 3, pixels: rgb), to: labels.appendingPathComponent("f\(i)_L.png"))
            } else {
                try PNGCodec.write(RasterImage(width: 6, height: 4, channels: 1, pixels: mask), to: labels.appendingPathComponent("f\(i).png"))
            }
        }
        return (images, labels, expected)
    }

    func testClassIndexLabelsBecomeMasksWithVoid() throws {
        let fixture = try makeFixture(colourLabels: false)
        let loader = CamVidLoader(imageDirectory: fixture.images, labelDirectory: fixture.labels, classNames: classes, voidLabel: 11)
        let data = try loader.load()
        XCTAssertEqual(data.count, 2)
        XCTAssertEqual(data.masks?.pixels.array, fixture.expected)
        XCTAssertEqual(data.masks?.voidLabel, 11)
        XCTAssertEqual(data.summary.maskPixels?.last, NamedCount(name: "void", count: 2))
    }

    func testColourLabelsAreMappedThroughThePalette() throws {
        let fixture = try makeFixture(colourLabels: true)
        let loader = CamVidLoader(imageDirectory: fixture.images, labelDirectory: fixture.labels, classNames: classes,
                                  labelFormat: .colour(colours: colours), voidLabel: 11, size: ImageSize(height: 8, width: 12))
        let data = try loader.load()
        XCTAssertEqual(data.shape, SampleShape(channels: 3, height: 8, width: 12))
        // Nearest-neighbour upscaling by 2 repeats each label.
        let first = Array(data.mask(at: 0)!)
        XCTAssertEqual(Array(first.prefix(12)), [11, 11, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    }

    /// Shrinking by a ratio that is not whole, the images are interpolated but the masks are not: every
    /// mask value is a class or void, the nearest label of the source.
    func testMasksAreResizedByNearestNeighbourNotInterpolated() throws {
        let fixture = try makeFixture(colourLabels: false)
        let loader = CamVidLoader(imageDirectory: fixture.images, labelDirectory: fixture.labels, classNames: classes, voidLabel: 11,
                                  size: ImageSize(height: 3, width: 4))
        let data = try loader.load()
        for i in 0 ..< 2 {
            let source = RasterImage(width: 6, height: 4, channels: 1, pixels: Array(fixture.expected[i * 24 ..< (i + 1) * 24]))
            XCTAssertEqual(Array(data.mask(at: i)!), Resampling.nearest(source, height: 3, width: 4).pixels)
            XCTAssertTrue(data.mask(at: i)!.allSatisfy { $0 < 3 || $0 == 11 })
        }
        let image = try PNGCodec.read(fixture.images.appendingPathComponent("f0.png"), channels: 3)
        XCTAssertEqual(Array(data.image(at: 0)), Resampling.bilinear(image, height: 3, width: 4).planar)
    }

    func testLabelValueBeyondClassesNamesTheFile() throws {
        let fixture = try makeFixture(colourLabels: false)
        let loader = CamVidLoader(imageDirectory: fixture.images, labelDirectory: fixture.labels, classNames: classes, voidLabel: nil)
        XCTAssertThrowsError(try loader.load()) { error in
            guard case let .imageDecoding(path, reason)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("trainannot/f0.png"), path)
            XCTAssertTrue(reason.contains("11"), reason)
        }
    }

    /// Streaming a split into its artifact a block of frames at a time gives the bytes of writing what
    /// `load()` returns, whatever the block size, with and without resizing, grey or palette labels.
    func testStreamedWriteGivesTheBytesOfTheLoadedDataSet() throws {
        for colour in [false, true] {
            let fixture = try makeFixture(colourLabels: colour)
            // Three more frames, so blocks of 2 leave a partial last one.
            for i in 2 ..< 5 {
                try FileManager.default.copyItem(at: fixture.images.appendingPathComponent("f\(i % 2).png"), to: fixture.images.appendingPathComponent("f\(i).png"))
                let label = colour ? "_L" : ""
                try FileManager.default.copyItem(at: fixture.labels.appendingPathComponent("f\(i % 2)\(label).png"), to: fixture.labels.appendingPathComponent("f\(i)\(label).png"))
            }
            for size in [nil, ImageSize(height: 5, width: 9)] {
                let loader = CamVidLoader(imageDirectory: fixture.images, labelDirectory: fixture.labels, classNames: classes,
                                          labelFormat: colour ? .colour(colours: colours) : .classIndex, voidLabel: 11, size: size)
                let expected = try DatasetArtifact.encode(try loader.load())
                for blockSize in [1, 2, 64] {
                    let url = fixture.images.deletingLastPathComponent().appendingPathComponent("streamed-\(blockSize).assayds")
                    var calls: [Int] = []
                    XCTAssertEqual(try loader.write(to: url, blockSize: blockSize) { done, total in calls.append(done); XCTAssertEqual(total, 15) }, 5)
                    XCTAssertEqual(try Data(contentsOf: url), expected, "colour \(colour), size \(String(describing: size)), blocks of \(blockSize)")
                    XCTAssertEqual(calls.first, 0)
                    XCTAssertEqual(calls.count, 3 * ((5 + blockSize - 1) / blockSize))
                }
            }
        }
    }

    func testAStreamedWriteThatFailsLeavesNoFile() throws {
        let fixture = try makeFixture(colourLabels: false)
        let loader = CamVidLoader(imageDirectory: fixture.images, labelDirectory: fixture.labels, classNames: classes, voidLabel: nil)
        let url = fixture.images.deletingLastPathComponent().appendingPathComponent("failed.assayds")
        XCTAssertThrowsError(try loader.write(to: url)) { error in
            guard case let .imageDecoding(path, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("trainannot/f0.png"), path)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }
}
