import AssaySupport
import XCTest
@testable import AssayData

final class CelebALoaderTests: XCTestCase {
    /// Six JPEGs and CelebA's two listing files in their distributed layout: a count line, a names
    /// line with a trailing space, values aligned with one or two spaces, CRLF ends.
    private func makeFixture() throws -> URL {
        let root = TestData.scratchDirectory("celeba")
        let images = root.appendingPathComponent(CelebAFormat.imageFolder)
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        var attributes = ["6", "Smiling Blond_Hair Male "]
        var partitions: [String] = []
        for i in 0 ..< 6 {
            let name = String(format: "%06d.jpg", i + 1)
            try JPEGCodec.write(TestData.gradient(width: 12, height: 14, channels: 3, seed: i), to: images.appendingPathComponent(name))
            let values = [1, i % 2 == 0 ? 1 : -1, i < 3 ? -1 : 1].map { $0 == 1 ? " 1" : "-1" }
            attributes.append("\(name) " + values.joined(separator: " "))
            partitions.append("\(name) \(i / 2)")
        }
        try Data(attributes.joined(separator: "\r\n").utf8).write(to: root.appendingPathComponent(CelebAFormat.attributeFile))
        try Data((partitions.joined(separator: "\n") + "\n").utf8).write(to: root.appendingPathComponent(CelebAFormat.partitionFile))
        return root
    }

    private func edit(_ url: URL, _ transform: (String) -> String) throws {
        try Data(transform(try String(contentsOf: url, encoding: .utf8)).utf8).write(to: url)
    }

    func testTargetAndSpuriousAttributesAndPartitions() throws {
        let root = try makeFixture()
        let loader = CelebALoader(root: root, target: "Blond_Hair", spurious: ["Male"])
        let splits = try loader.load(preprocessing: ImagePreprocessing(channels: 3, resize: .exact(height: 8, width: 8)))
        XCTAssertEqual(splits.names, ["train", "val", "test"])
        let val = try splits.split("val")
        XCTAssertEqual(val.labels, [1, 0])                       // images 3 and 4
        XCTAssertEqual(try val.attribute(named: "Male").values, [0, 1])
        XCTAssertEqual(val.classNames, ["not-Blond_Hair", "Blond_Hair"])
        let groups = try splits.split("train").groups(by: ["Male"], requireAll: false)
        XCTAssertEqual(groups.counts, [1, 0, 1, 0])  // g = y·2 + male: image 1 is (1, 0), image 2 (0, 0)
        // The pixels are image 3's, resized.
        let decoded = try JPEGCodec.decode(Data(contentsOf: root.appendingPathComponent("img_align_celeba/000003.jpg")), channels: 3, path: "")
        XCTAssertEqual(Array(val.image(at: 0)), Resampling.bilinear(decoded, height: 8, width: 8).planar)
    }

    func testLimitKeepsTheFirstImagesOfEachSplitInFileOrder() throws {
        let root = try makeFixture()
        let listings = try CelebALoader(root: root, target: "Smiling", spurious: []).listings(limit: ["train": 1, "test": 5])
        XCTAssertEqual(listings.map(\.split), ["train", "val", "test"])
        XCTAssertEqual(listings.map { $0.listing.files.map(\.lastPathComponent) }, [["000001.jpg"], ["000003.jpg", "000004.jpg"], ["000005.jpg", "000006.jpg"]])
        XCTAssertEqual(listings[1].listing.lines, [5, 6])
    }

    func testValueOtherThanMinusOneOrOneNamesTheLine() throws {
        let root = try makeFixture()
        let file = root.appendingPathComponent(CelebAFormat.attributeFile)
        try edit(file) { $0.replacingOccurrences(of: "000002.jpg  1 -1 -1", with: "000002.jpg  1  2 -1") }
        XCTAssertThrowsError(try CelebALoader(root: root, target: "Blond_Hair", spurious: ["Male"]).listings()) { error in
            XCTAssertEqual(error as? DataError, .csvSyntax(path: file.path, line: 4, column: nil, message: "attribute `Blond_Hair`: expected -1 or 1, found `2`"))
        }
    }

    func testWrongFieldCountAndImageCountAreErrors() throws {
        let root = try makeFixture()
        let file = root.appendingPathComponent(CelebAFormat.attributeFile)
        try edit(file) { $0.replacingOccurrences(of: "000005.jpg  1  1  1", with: "000005.jpg  1  1") }
        XCTAssertThrowsError(try CelebALoader(root: root, target: "Smiling", spurious: []).listings()) { error in
            XCTAssertEqual(error as? DataError, .csvSyntax(path: file.path, line: 7, column: nil, message: "expected a file name and 3 values, found 3 fields"))
        }
        let other = try makeFixture()
        let count = other.appendingPathComponent(CelebAFormat.attributeFile)
        try edit(count) { "7" + $0.dropFirst() }
        XCTAssertThrowsError(try CelebALoader(root: other, target: "Smiling", spurious: []).listings()) { error in
            XCTAssertEqual(error as? DataError, .csvSyntax(path: count.path, line: 1, column: nil, message: "the count says 7 images, but the file lists 6"))
        }
    }

    func testImageWithoutPartitionLineNamesTheAttributeLine() throws {
        let root = try makeFixture()
        try edit(root.appendingPathComponent(CelebAFormat.partitionFile)) { $0.replacingOccurrences(of: "000004.jpg 1\n", with: "") }
        let attributes = root.appendingPathComponent(CelebAFormat.attributeFile)
        XCTAssertThrowsError(try CelebALoader(root: root, target: "Smiling", spurious: []).listings()) { error in
            guard case let .csvSyntax(path, line, _, message)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, attributes.path)
            XCTAssertEqual(line, 6)
            XCTAssertTrue(message.contains("000004.jpg"), message)
        }
    }

    func testBadPartitionCodeNamesThePartitionLine() throws {
        let root = try makeFixture()
        let partitions = root.appendingPathComponent(CelebAFormat.partitionFile)
        try edit(partitions) { $0.replacingOccurrences(of: "000003.jpg 1", with: "000003.jpg val") }
        XCTAssertThrowsError(try CelebAFormat.partition(path: partitions.path)) { error in
            XCTAssertEqual(error as? CelebAFormat.Problem,
                           CelebAFormat.Problem(path: partitions.path, line: 3, message: "expected a partition 0 (train), 1 (val) or 2 (test), found `val`"))
        }
    }

    func testMissingImageNamesTheAttributeLine() throws {
        let root = try makeFixture()
        let image = root.appendingPathComponent("img_align_celeba/000005.jpg")
        try FileManager.default.removeItem(at: image)
        XCTAssertThrowsError(try CelebALoader(root: root, target: "Smiling", spurious: []).listings()) { error in
            XCTAssertEqual(error as? DataError, .listed(table: root.appendingPathComponent(CelebAFormat.attributeFile).path, line: 7,
                                                        problem: .missingFile(path: image.path, role: "image")))
        }
    }

    func testUnknownTargetListsTheAttributes() throws {
        let root = try makeFixture()
        XCTAssertThrowsError(try CelebALoader(root: root, target: "Blond", spurious: []).listings()) { error in
            XCTAssertEqual(error as? DataError, .unknownAttribute(name: "Blond", known: ["Smiling", "Blond_Hair", "Male"]))
        }
    }
}
