import XCTest
@testable import AssayData

final class DataRecipeTests: XCTestCase {
    private func source() throws -> DataSource {
        let url = TestData.scratchDirectory("recipe").appendingPathComponent("items.assayds")
        try DatasetArtifact.write(DatasetSplits([("train", TestData.squares(count: 400, classes: 4)), ("test", TestData.squares(count: 100, classes: 4))]), to: url)
        return .artifact(path: url.path)
    }

    private func bordered(_ source: DataSource, seed: UInt64 = 1) -> DataRecipe {
        DataRecipe(source: source, steps: [
            .relabel(.binary(positive: ["c0", "c2"])),
            .carve(name: "val", amount: .count(100), from: "train", seed: seed),
            .inject(SpuriousAttribute(name: "border", feature: .border(width: 1)), correlations: ["train": 0.9, "val": 0.5, "test": 0.5], seed: seed),
        ])
    }

    func testBuildAppliesStepsInOrderAndReportsThem() throws {
        var heard: [String] = []
        let splits = try bordered(try source()).build { heard.append($0) }
        XCTAssertEqual(heard.count, 4)
        XCTAssertEqual(splits.names, ["train", "val", "test"])
        XCTAssertEqual(splits.all.map(\.dataset.count), [300, 100, 100])
        XCTAssertEqual(try splits.split("train").groups(by: ["border"]).counts, [135, 15, 15, 135])
        XCTAssertTrue(splits.summaryLines().contains { $0.contains("label=positive, border=1") })
    }

    func testSameRecipeGivesSameBytesAndDigest() throws {
        let src = try source()
        XCTAssertEqual(try DatasetArtifact.encode(try bordered(src).build()), try DatasetArtifact.encode(try bordered(src).build()))
        XCTAssertEqual(try bordered(src).digest(), try bordered(src).digest())
        XCTAssertNotEqual(try bordered(src, seed: 1).digest(), try bordered(src, seed: 2).digest())
        let decoded = try JSONDecoder().decode(DataRecipe.self, from: try JSONEncoder().encode(bordered(src)))
        XCTAssertEqual(decoded, bordered(src))
    }

    func testScenesAndSplitSteps() throws {
        let recipe = DataRecipe(source: try source(), steps: [
            .keepSplits(["train"]),
            .split(from: "train", parts: [SplitPart("a", .fraction(0.5)), SplitPart("b", .fraction(0.5))], seed: 3),
            .scenes(SceneSpec(canvas: ImageSize(height: 16, width: 16), itemsPerScene: 1 ... 2), counts: ["a": 12, "b": 5], seed: 4),
        ])
        let splits = try recipe.build()
        XCTAssertEqual(splits.names, ["a", "b"])
        XCTAssertEqual(try splits.split("b").count, 5)
        XCTAssertEqual(try splits.split("a").masks?.classNames.first, "background")
    }

    func testUnknownSplitInAStepIsNamed() throws {
        let recipe = DataRecipe(source: try source(), steps: [.carve(name: "val", amount: .count(1), from: "training", seed: 0)])
        XCTAssertThrowsError(try recipe.build()) { error in
            XCTAssertEqual(error as? DataError, .unknownSplit(name: "training", known: ["train", "test"]))
        }
    }

    func testChannelStatisticsNormaliseToZeroMeanUnitVariance() {
        let data = TestData.squares(count: 20)
        let stats = data.channelStatistics()
        let values = data.floatPixels(stats)
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
        XCTAssertEqual(mean, 0, accuracy: 1e-4)
        XCTAssertEqual(variance, 1, accuracy: 1e-3)
    }
}
