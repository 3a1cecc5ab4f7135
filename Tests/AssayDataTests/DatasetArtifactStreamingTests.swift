import XCTest
import AssaySupport
@testable import AssayData

final class DatasetArtifactStreamingTests: XCTestCase {
    /// Seven images of two sizes (PNG and JPEG) with labels and an attribute.
    private func makeListing(_ name: String) throws -> ImageListing {
        let root = TestData.scratchDirectory(name)
        var files: [URL] = []
        for i in 0 ..< 7 {
            let image = TestData.gradient(width: i % 2 == 0 ? 20 : 13, height: 11, channels: 3, seed: i)
            let url = root.appendingPathComponent("\(i)." + (i % 3 == 0 ? "jpg" : "png"))
            if i % 3 == 0 { try JPEGCodec.write(image, to: url, quality: 90) } else { try PNGCodec.write(image, to: url) }
            files.append(url)
        }
        return ImageListing(files: files, table: root.appendingPathComponent("list.csv").path, lines: Array(2 ..< 9), labels: [0, 1, 1, 0, 2, 1, 0],
                            classNames: ["a", "b", "c"], attributes: [DatasetAttribute(name: "place", valueNames: ["0", "1"], values: [0, 1, 0, 1, 1, 0, 0])])
    }

    func testStreamedArtifactHasTheBytesOfTheInMemoryOneForAnyBlockSize() throws {
        let listing = try makeListing("stream-bytes")
        let preprocessing = ImagePreprocessing(channels: 3, resize: .exact(height: 9, width: 10))
        let expected = try DatasetArtifact.encode(listing.decode(preprocessing))
        let directory = TestData.scratchDirectory("stream-out")
        for blockSize in [1, 2, 3, 7, 512] {
            let url = directory.appendingPathComponent("b\(blockSize)")
            var reported: [Int] = []
            let digest = try DatasetArtifact.writeDecoding(listing, preprocessing: preprocessing, to: url, blockSize: blockSize) { reported.append($0) }
            XCTAssertEqual(try Data(contentsOf: url), expected, "block size \(blockSize)")
            XCTAssertEqual(digest, Digest.of(expected), "block size \(blockSize): the digest taken while writing")
            XCTAssertEqual(reported, Array(stride(from: 0, to: 7, by: blockSize)))
        }
        let summary = try DatasetArtifact.readDataset(from: directory.appendingPathComponent("b2")).summary
        XCTAssertEqual(summary.shape, SampleShape(channels: 3, height: 9, width: 10))
        XCTAssertEqual(summary.groups.map(\.count), [2, 1, 2, 1, 0, 1])
    }

    func testEmptyListingWritesAnEmptySplit() throws {
        let listing = try makeListing("stream-empty").prefix(0)
        let preprocessing = ImagePreprocessing(channels: 1, resize: .exact(height: 4, width: 4))
        let url = TestData.scratchDirectory("stream-empty-out").appendingPathComponent("a")
        try DatasetArtifact.writeDecoding(listing, preprocessing: preprocessing, to: url)
        XCTAssertEqual(try Data(contentsOf: url), try DatasetArtifact.encode(listing.decode(preprocessing)))
    }

    func testUndecodableImageNamesItsLineAndLeavesNoFile() throws {
        let listing = try makeListing("stream-bad")
        try Data("not an image".utf8).write(to: listing.files[4])
        let url = TestData.scratchDirectory("stream-bad-out").appendingPathComponent("a")
        XCTAssertThrowsError(try DatasetArtifact.writeDecoding(listing, preprocessing: ImagePreprocessing(channels: 3, resize: .exact(height: 4, width: 4)),
                                                               to: url, blockSize: 2)) { error in
            guard case let .listed(table, line, .imageDecoding(path, _))? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual([table, path], [listing.table, listing.files[4].path])
            XCTAssertEqual(line, 6)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    func testAProgressErrorStopsTheWriteAndPassesThrough() throws {
        struct Stop: Error {}
        let listing = try makeListing("stream-stop")
        let url = TestData.scratchDirectory("stream-stop-out").appendingPathComponent("a")
        XCTAssertThrowsError(try DatasetArtifact.writeDecoding(listing, preprocessing: ImagePreprocessing(channels: 3, resize: .exact(height: 4, width: 4)),
                                                               to: url, blockSize: 2) { done in if done >= 4 { throw Stop() } }) { error in
            XCTAssertTrue(error is Stop, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    /// Without a declared size every image must match the first; a mismatch in a later block names its line.
    func testWithoutAResizeAMismatchInALaterBlockIsAnError() throws {
        let listing = try makeListing("stream-shape")
        let url = TestData.scratchDirectory("stream-shape-out").appendingPathComponent("a")
        XCTAssertThrowsError(try DatasetArtifact.writeDecoding(listing, preprocessing: ImagePreprocessing(channels: 3), to: url, blockSize: 1)) { error in
            guard case let .listed(_, line, .shapeMismatch)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 3)
        }
    }

    func testBlocksAreEmittedInOrderAndTheirArraysReused() throws {
        var emitted: [[UInt8]] = []
        var handedIn: [Int] = []
        try DatasetArtifact.forEachBlock(count: 10, blockSize: 3, progress: { _ in }, produce: { (range: Range<Int>, block: inout [UInt8]) in
            handedIn.append(block.count)
            block.removeAll(keepingCapacity: true)
            block += range.map { UInt8($0) }
        }, emit: { emitted.append($0) })
        XCTAssertEqual(emitted, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
        // The first two blocks are new arrays; from then on each gets back the one written two blocks before.
        XCTAssertEqual(handedIn, [0, 0, 3, 3])
    }

    func testAWriteErrorStopsTheBlocksAndIsThrown() {
        struct Full: Error {}
        var produced = 0
        XCTAssertThrowsError(try DatasetArtifact.forEachBlock(count: 10, blockSize: 2, progress: { _ in }, produce: { (_: Range<Int>, block: inout [UInt8]) in
            produced += 1
            block = [0]
        }, emit: { _ in throw Full() })) { error in
            XCTAssertTrue(error is Full, "\(error)")
        }
        XCTAssertEqual(produced, 2, "the first block's write fails while the second is decoded; no third is")
    }
}
