import XCTest
@testable import AssayData

final class DatasetSplitterTests: XCTestCase {
    func testFractionsPartitionTheDataDeterministically() throws {
        var data = TestData.squares(count: 101, classes: 3)
        data = try data.withAttribute(DatasetAttribute(name: "id", valueNames: (0 ..< 101).map(String.init), values: (0 ..< 101).map(Int32.init)))
        let splits = try DatasetSplitter.split(data, into: [("train", .fraction(0.7)), ("val", .fraction(0.1)), ("test", .fraction(0.2))], seed: 5)
        XCTAssertEqual(splits.names, ["train", "val", "test"])
        XCTAssertEqual(splits.all.map(\.dataset.count), [71, 10, 20])
        let ids = try splits.all.map { try $0.dataset.attribute(named: "id").values.map(Int.init) }
        XCTAssertNoThrow(try GroupAssignment.checkPartition(ids, total: 101))
        XCTAssertEqual(ids[0], ids[0].sorted())
        XCTAssertEqual(try DatasetSplitter.split(data, into: [("train", .fraction(0.7)), ("val", .fraction(0.1)), ("test", .fraction(0.2))], seed: 5), splits)
    }

    func testValCarvedFromTrainKeepsTestAndOrder() throws {
        let splits = DatasetSplits([("train", TestData.squares(count: 50)), ("test", TestData.squares(count: 10))])
        let carved = try DatasetSplitter.carve("val", amount: .count(12), from: "train", of: splits, seed: 1)
        XCTAssertEqual(carved.names, ["train", "val", "test"])
        XCTAssertEqual(carved.all.map(\.dataset.count), [38, 12, 10])
    }

    func testAskingForTooManyExamplesIsAnError() {
        XCTAssertThrowsError(try DatasetSplitter.split(TestData.squares(count: 10), into: [("a", .count(8)), ("b", .count(3))], seed: 0))
        XCTAssertThrowsError(try DatasetSplitter.split(TestData.squares(count: 10), into: [("a", .fraction(1.5))], seed: 0))
    }
}
