import XCTest
@testable import AssayData

final class FashionMNISTTests: XCTestCase {
    func testRealFilesHaveStandardCountsAndFirstLabels() throws {
        try XCTSkipUnless(TestData.hasFashionMNIST, "dataset-fashion-mnist is not installed")
        let splits = try FashionMNIST.loadAll()
        XCTAssertEqual(splits.names, ["train", "test"])
        let train = try splits.split("train"), test = try splits.split("test")
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(train.shape, SampleShape(channels: 1, height: 28, width: 28))
        XCTAssertEqual(Array(train.labels.prefix(10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        XCTAssertEqual(Array(test.labels.prefix(10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        // Pixel sums of the first images, computed independently with numpy.
        XCTAssertEqual(train.image(at: 0).reduce(0) { $0 + Int($1) }, 76_247)
        XCTAssertEqual(test.image(at: 0).reduce(0) { $0 + Int($1) }, 33_456)
        XCTAssertEqual(train.summary.classes.map(\.count), Array(repeating: 6000, count: 10))
        XCTAssertEqual(train.classNames[9], "ankle-boot")
    }

    func testMissingDirectoryNamesTheFile() {
        let dir = URL(fileURLWithPath: "/nonexistent/fmnist")
        XCTAssertThrowsError(try FashionMNIST.load(.test, directory: dir)) { error in
            XCTAssertEqual("\(error)", "missing IDX file (gzipped or not) `/nonexistent/fmnist/t10k-images-idx3-ubyte.gz`: "
                + "no such file. To fix, check the path, or the data set's `path:` or `root:`.")
            XCTAssertEqual(error as? DataError, .missingFile(path: "/nonexistent/fmnist/t10k-images-idx3-ubyte.gz", role: "IDX file (gzipped or not)"))
        }
    }

    func testWrongMagicIsReported() throws {
        let dir = TestData.scratchDirectory("idx")
        let url = dir.appendingPathComponent("bad-idx3-ubyte")
        try Data([0, 0, 8, 1, 0, 0, 0, 1, 7]).write(to: url)
        XCTAssertThrowsError(try IDXFile.read(url, rank: 3)) { error in
            guard case let .malformedFile(path, _, found)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue(found.contains("00000801"), found)
        }
    }

    func testGzipRoundTripThroughPythonCompatibleStream() throws {
        // A gzip member made by Python's gzip module: "hello idx".
        let dir = TestData.scratchDirectory("gz")
        let url = dir.appendingPathComponent("hello.gz")
        let bytes: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 72, 205, 201, 201, 87, 200, 76, 169, 0, 0, 221, 152, 128, 9, 9, 0, 0, 0]
        try Data(bytes).write(to: url)
        XCTAssertEqual(String(decoding: try GzipFile.read(url), as: UTF8.self), "hello idx")
        try Data(bytes.prefix(16)).write(to: url)
        XCTAssertThrowsError(try GzipFile.read(url))
    }

    /// The reference says "gzipped or not": a folder of uncompressed IDX files (as `gunzip *.gz` leaves it) loads the same.
    func testUncompressedIDXFilesLoad() throws {
        let dir = TestData.scratchDirectory("idx-plain")
        let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28] + (0..<(2 * 28 * 28)).map { UInt8($0 % 251) }
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 2, 9, 4]
        try Data(images).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data(labels).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let test = try FashionMNIST.load(.test, directory: dir)
        XCTAssertEqual(test.count, 2)
        XCTAssertEqual(test.labels, [9, 4])
        XCTAssertEqual(Array(test.image(at: 1).prefix(3)), [UInt8(784 % 251), UInt8(785 % 251), UInt8(786 % 251)])
    }

    /// Streaming a split into its artifact gives the bytes of writing the loaded split (cut to its
    /// limit): gzipped (several 1 MiB pieces for the real files) or not, with and without a limit.
    func testStreamedWriteGivesTheBytesOfTheLoadedSplit() throws {
        let dir = TestData.scratchDirectory("idx-stream")
        let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28] + (0..<(3 * 28 * 28)).map { UInt8($0 % 253) }
        try Data(images).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data([0, 0, 8, 1, 0, 0, 0, 3, 9, 4, 1]).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        var cases: [(URL, FashionMNIST.Split, [Int?])] = [(dir, .test, [nil, 2, 0, 7])]
        if TestData.hasFashionMNIST { cases.append((FashionMNIST.defaultDirectory, .test, [nil, 1000])) }
        for (directory, split, limits) in cases {
            let loaded = try FashionMNIST.load(split, directory: directory)
            for limit in limits {
                let url = dir.appendingPathComponent("streamed.assayds")
                let n = min(limit ?? loaded.count, loaded.count)
                XCTAssertEqual(try FashionMNIST.write(split, directory: directory, limit: limit, to: url), n)
                XCTAssertEqual(try Data(contentsOf: url), try DatasetArtifact.encode(loaded.subset(Array(0 ..< n))), "\(directory.path), limit \(String(describing: limit))")
            }
        }
    }

    func testAStreamedWriteOfATruncatedFileFailsAndLeavesNoFile() throws {
        let dir = TestData.scratchDirectory("idx-stream-short")
        let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28] + [UInt8](repeating: 7, count: 28 * 28 + 5)
        try Data(images).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data([0, 0, 8, 1, 0, 0, 0, 2, 9, 4]).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let url = dir.appendingPathComponent("short.assayds")
        // Even with a limit inside the file, the rest is read and found short.
        XCTAssertThrowsError(try FashionMNIST.write(.test, directory: dir, limit: 1, to: url)) { error in
            guard case let .malformedFile(path, _, found)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("t10k-images-idx3-ubyte"), path)
            XCTAssertEqual(found, "789 bytes of data")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }
}
