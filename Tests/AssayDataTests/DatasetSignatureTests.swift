import XCTest
@testable import AssayData

final class DatasetSignatureTests: XCTestCase {
    private func artifactSource() throws -> DataSource {
        let url = TestData.scratchDirectory("signature").appendingPathComponent("items.assayds")
        try DatasetArtifact.write(DatasetSplits([("train", TestData.squares(count: 200, classes: 4)), ("test", TestData.squares(count: 40, classes: 4))]), to: url)
        return .artifact(path: url.path)
    }

    private func assertSignatureMatchesBuild(_ recipe: DataRecipe, file: StaticString = #filePath, line: UInt = #line) throws {
        let predicted = try recipe.signature()
        let built = try recipe.build()
        XCTAssertEqual(predicted.splits, built.names, file: file, line: line)
        for (_, set) in built.all {
            XCTAssertEqual(DatasetSignature(set, splits: built.names), predicted, file: file, line: line)
        }
    }

    func testPredictedSignatureMatchesBuiltDataForDerivations() throws {
        let source = try artifactSource()
        try assertSignatureMatchesBuild(DataRecipe(source: source, steps: [
            .relabel(.binary(positive: ["c1"])),
            .carve(name: "val", amount: .fraction(0.25), from: "train", seed: 0),
            .inject(SpuriousAttribute(name: "tint", feature: .tint()), correlations: ["train": 0.9, "val": 0.5, "test": 0.5], seed: 0),
        ]))
        try assertSignatureMatchesBuild(DataRecipe(source: source, steps: [
            .relabel(.mapping([ClassMapping(from: "c3", to: "x"), ClassMapping(from: "c0", to: "y")])),
            .scenes(SceneSpec(canvas: ImageSize(height: 12, width: 12), itemsPerScene: 1 ... 2), counts: ["test": 4], seed: 1),
        ]))
    }

    func testFashionMNISTSignatureMatchesTheFiles() throws {
        try XCTSkipUnless(TestData.hasFashionMNIST, "dataset-fashion-mnist is not installed")
        let predicted = try DataRecipe(source: .fashionMNIST(directory: nil)).signature()
        let test = try FashionMNIST.load(.test)
        XCTAssertEqual(DatasetSignature(test, splits: ["train", "test"]), predicted)
    }

    func testSignatureReportsUnknownClassesAndSplitsBeforeLoading() {
        let recipe = DataRecipe(source: .fashionMNIST(directory: "/nonexistent"), steps: [.relabel(.binary(positive: ["t-shirt", "coats"]))])
        XCTAssertThrowsError(try recipe.signature()) { error in
            XCTAssertEqual(error as? DataError, .unknownClass(name: "coats", known: FashionMNIST.classNames))
        }
        let split = DataRecipe(source: .fashionMNIST(directory: nil), steps: [
            .inject(SpuriousAttribute(name: "border", feature: .border(width: 2)), correlations: ["train": 0.95, "val": 0.5], seed: 0),
        ])
        XCTAssertThrowsError(try split.signature()) { error in
            XCTAssertTrue(String(describing: error).contains("`test`"), "\(error)")
        }
        let border = DataRecipe(source: .fashionMNIST(directory: nil), steps: [
            .inject(SpuriousAttribute(name: "border", feature: .border(width: 20)), correlations: ["train": 0.95, "test": 0.5], seed: 0),
        ])
        XCTAssertThrowsError(try border.signature())
    }
}
