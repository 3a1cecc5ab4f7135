import XCTest
@testable import AssayData

final class RelabelingTests: XCTestCase {
    func testSubsetKeepsListedClassesRenumberedInOrder() throws {
        let data = TestData.squares(count: 12, classes: 4)
        let sub = try data.relabeled(.subset(["c3", "c1"]))
        XCTAssertEqual(sub.classNames, ["c3", "c1"])
        XCTAssertEqual(sub.labels, [1, 0, 1, 0, 1, 0])
        XCTAssertEqual(Array(sub.image(at: 0)), Array(data.image(at: 1)))
    }

    func testBinaryTaskMapsPositiveClassesToOne() throws {
        let data = TestData.squares(count: 8, classes: 4)
        let binary = try data.relabeled(.binary(positive: ["c0", "c2"]))
        XCTAssertEqual(binary.classNames, ["negative", "positive"])
        XCTAssertEqual(binary.labels, [1, 0, 1, 0, 1, 0, 1, 0])
        XCTAssertEqual(binary.pixels, data.pixels)
    }

    func testMappingMergesAndDropsClasses() throws {
        let data = TestData.squares(count: 8, classes: 4)
        let mapped = try data.relabeled(.mapping([ClassMapping(from: "c2", to: "b"), ClassMapping(from: "c0", to: "a"), ClassMapping(from: "c1", to: "a")]))
        XCTAssertEqual(mapped.classNames, ["b", "a"])
        XCTAssertEqual(mapped.labels, [1, 1, 0, 1, 1, 0])
    }

    func testUnknownClassListsTheKnownOnes() {
        let data = TestData.squares(count: 4, classes: 2)
        XCTAssertThrowsError(try data.relabeled(.binary(positive: ["coat"]))) { error in
            XCTAssertEqual(error as? DataError, .unknownClass(name: "coat", known: ["c0", "c1"]))
        }
    }
}
