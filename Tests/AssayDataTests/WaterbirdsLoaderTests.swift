import XCTest
@testable import AssayData

final class WaterbirdsLoaderTests: XCTestCase {
    /// Six images (PNG and JPEG, two sizes) in a sub-folder, and a metadata.csv with CRLF and quoting.
    private func makeFixture() throws -> URL {
        let root = TestData.scratchDirectory("waterbirds")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("001.Albatross"), withIntermediateDirectories: true)
        var rows = ["img_filename,y,place,split,place_filename"]
        for i in 0 ..< 6 {
            let image = TestData.gradient(width: i % 2 == 0 ? 20 : 30, height: 16, channels: 3, seed: i)
            let name = "001.Albatross/bird \(i)." + (i < 3 ? "png" : "jpg")
            if i < 3 {
                try PNGCodec.write(image, to: root.appendingPathComponent(name))
            } else {
                try JPEGCodec.write(image, to: root.appendingPathComponent(name), quality: 95)
            }
            rows.append("\"\(name)\",\(i % 2),\(i / 3),\(i % 3),\"/x,y\"")
        }
        try Data((rows.joined(separator: "\r\n") + "\r\n").utf8).write(to: root.appendingPathComponent("metadata.csv"))
        return root
    }

    func testLoadsSplitsLabelsPlacesAndResizes() throws {
        let root = try makeFixture()
        let loader = WaterbirdsLoader(root: root, preprocessing: ImagePreprocessing(channels: 3, resize: .exact(height: 8, width: 10)))
        let splits = try loader.load()
        XCTAssertEqual(splits.names, ["train", "val", "test"])
        let train = try splits.split("train")
        XCTAssertEqual(train.count, 2)
        XCTAssertEqual(train.shape, SampleShape(channels: 3, height: 8, width: 10))
        XCTAssertEqual(train.labels, [0, 1])                      // rows 0 and 3
        XCTAssertEqual(try train.attribute(named: "place").values, [0, 1])
        XCTAssertEqual(train.classNames, ["landbird", "waterbird"])
        // The PNG sample equals the resized original, converted to planes.
        let original = Resampling.bilinear(TestData.gradient(width: 20, height: 16, channels: 3, seed: 0), height: 8, width: 10)
        XCTAssertEqual(Array(train.image(at: 0)), original.planar)
    }

    func testGreyConversionAndCentreCrop() throws {
        let root = try makeFixture()
        let preprocessing = ImagePreprocessing(channels: 1, resize: .shorterSide(12), centerCrop: ImageSize(height: 10, width: 10))
        let splits = try WaterbirdsLoader(root: root, preprocessing: preprocessing).load()
        XCTAssertEqual(try splits.split("test").shape, SampleShape(channels: 1, height: 10, width: 10))
    }

    func testMissingColumnNamesFileAndColumnsFound() throws {
        let root = TestData.scratchDirectory("waterbirds-missing")
        try Data("img_filename,y,split\na.png,0,0\n".utf8).write(to: root.appendingPathComponent("metadata.csv"))
        XCTAssertThrowsError(try WaterbirdsLoader(root: root).load()) { error in
            XCTAssertEqual(error as? DataError, .missingColumns(path: root.appendingPathComponent("metadata.csv").path,
                                                               missing: ["place"], found: ["img_filename", "y", "split"]))
        }
    }

    func testOutOfRangeSplitNamesTheCSVLine() throws {
        let root = TestData.scratchDirectory("waterbirds-range")
        try Data("img_filename,y,place,split\na.png,0,0,0\nb.png,1,0,7\n".utf8).write(to: root.appendingPathComponent("metadata.csv"))
        XCTAssertThrowsError(try WaterbirdsLoader(root: root).load()) { error in
            guard case let .csvSyntax(_, line, column, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 3)
            XCTAssertEqual(column, "split")
        }
    }

    func testMissingImageNamesTheFile() throws {
        let root = TestData.scratchDirectory("waterbirds-noimage")
        try Data("img_filename,y,place,split\nnothere.png,0,0,0\n".utf8).write(to: root.appendingPathComponent("metadata.csv"))
        XCTAssertThrowsError(try WaterbirdsLoader(root: root).load()) { error in
            XCTAssertEqual(error as? DataError, .listed(table: root.appendingPathComponent("metadata.csv").path, line: 2,
                                                        problem: .missingFile(path: root.appendingPathComponent("nothere.png").path, role: "image")))
        }
    }

    func testTruncatedJPEGNamesTheFileAndTheMetadataRow() throws {
        let root = try makeFixture()
        let url = root.appendingPathComponent("001.Albatross/bird 4.jpg")
        let whole = try Data(contentsOf: url)
        try whole.prefix(whole.count - 40).write(to: url)
        XCTAssertThrowsError(try WaterbirdsLoader(root: root, preprocessing: ImagePreprocessing(channels: 3, resize: .exact(height: 8, width: 10))).load()) { error in
            XCTAssertEqual(error as? DataError, .listed(table: root.appendingPathComponent("metadata.csv").path, line: 6,
                                                        problem: .imageDecoding(path: url.path, reason: "Premature end of JPEG file")))
            XCTAssertTrue("\(error)".hasPrefix(root.appendingPathComponent("metadata.csv").path + ":6: cannot decode image `\(url.path)`"), "\(error)")
        }
    }
}

