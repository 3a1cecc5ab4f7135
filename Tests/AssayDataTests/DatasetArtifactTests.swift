import XCTest
@testable import AssayData

final class DatasetArtifactTests: XCTestCase {
    private func sample() throws -> DatasetSplits {
        let base = try TestData.squares(count: 30, classes: 2)
            .injecting(SpuriousAttribute(name: "tint", feature: .tint()), correlation: 0.8, seed: 2)
            .withGroups(by: ["tint"])
        let scenes = try SceneComposer.compose(items: TestData.squares(count: 10), count: 5,
                                               spec: SceneSpec(canvas: ImageSize(height: 16, width: 16), itemsPerScene: 1 ... 2), seed: 3)
        return DatasetSplits([("train", base), ("scenes", scenes)])
    }

    func testRoundTripRestoresEverySplitExactly() throws {
        let splits = try sample()
        let url = TestData.scratchDirectory("artifact").appendingPathComponent("data.assayds")
        try DatasetArtifact.write(splits, to: url)
        let back = try DatasetArtifact.read(from: url)
        XCTAssertEqual(back, splits)
        XCTAssertEqual(back["scenes"]?.masks, splits["scenes"]?.masks)
    }

    func testSameDataGivesSameBytes() throws {
        let a = try DatasetArtifact.encode(try sample()), b = try DatasetArtifact.encode(try sample())
        XCTAssertEqual(a, b)
        XCTAssertEqual(Array(a.prefix(8)), DatasetArtifact.magic)
        XCTAssertEqual(a.count % 64, 0)
    }

    func testSingleDatasetRoundTrip() throws {
        let data = TestData.squares(count: 7)
        let url = TestData.scratchDirectory("artifact-one").appendingPathComponent("one.assayds")
        try DatasetArtifact.write(data, to: url)
        XCTAssertEqual(try DatasetArtifact.readDataset(from: url), data)
    }

    func testTruncatedOrForeignFilesAreRejected() throws {
        let data = try DatasetArtifact.encode(try sample())
        XCTAssertThrowsError(try DatasetArtifact.decode(data.prefix(data.count - 64), path: "x")) { error in
            guard case .malformedFile(path: "x", _, _)? = error as? DataError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try DatasetArtifact.decode(Data("not an artifact at all".utf8), path: "y"))
    }

    func testWriteIntoMissingDirectoryIsATypedErrorAndLeavesNoFile() throws {
        let url = TestData.scratchDirectory("artifact-missing").appendingPathComponent("no/such/dir/x.assayds")
        XCTAssertThrowsError(try DatasetArtifact.write(TestData.squares(count: 3), to: url)) { error in
            guard case let .unwritableFile(path, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }
}
