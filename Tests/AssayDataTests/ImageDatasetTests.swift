import XCTest
@testable import AssayData

final class ImageDatasetTests: XCTestCase {
    private func scenes() throws -> ImageDataset {
        try SceneComposer.compose(items: TestData.squares(count: 8), count: 6,
                                  spec: SceneSpec(canvas: ImageSize(height: 10, width: 10), itemsPerScene: 1 ... 2), seed: 0)
    }

    func testSubsetCarriesImagesLabelsAttributesMasksAndGroups() throws {
        let data = try TestData.squares(count: 10, classes: 2)
            .injecting(SpuriousAttribute(name: "border", feature: .border(width: 1)), correlation: 0.5, seed: 0)
            .withGroups(by: ["border"])
        let sub = data.subset([7, 2, 2])
        XCTAssertEqual(sub.count, 3)
        XCTAssertEqual(Array(sub.image(at: 0)), Array(data.image(at: 7)))
        XCTAssertEqual(sub.labels, [data.labels[7], data.labels[2], data.labels[2]])
        XCTAssertEqual(try sub.attribute(named: "border").values, [7, 2, 2].map { data.attributes[0].values[$0] })
        XCTAssertEqual(sub.groupIDs, [7, 2, 2].map { data.groupIDs![$0] })

        let withMasks = try scenes()
        XCTAssertEqual(withMasks.subset([4]).mask(at: 0).map(Array.init), withMasks.mask(at: 4).map(Array.init))
    }

    func testConcatenationJoinsPartsAndRejectsMismatches() throws {
        let a = TestData.squares(count: 4), b = TestData.squares(count: 3)
        let joined = try ImageDataset.concatenate([a, b])
        XCTAssertEqual(joined.count, 7)
        XCTAssertEqual(joined.pixels, a.pixels + b.pixels)
        XCTAssertEqual(joined.subset(Array(4 ..< 7)), b)
        XCTAssertThrowsError(try ImageDataset.concatenate([a, TestData.squares(count: 3, size: 9)])) { error in
            guard case let .shapeMismatch(what, _, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertTrue(what.contains("sample shape"), what)
        }
        XCTAssertThrowsError(try ImageDataset.concatenate([a, TestData.squares(count: 3, classes: 2)]))
        XCTAssertThrowsError(try ImageDataset.concatenate([]))
        let s = try scenes()
        XCTAssertEqual(try ImageDataset.concatenate([s, s]).masks?.pixels, s.masks!.pixels + s.masks!.pixels)
    }

    func testInconsistentArraysAreRejectedAtConstruction() {
        let shape = SampleShape(channels: 1, height: 2, width: 2)
        XCTAssertThrowsError(try ImageDataset(shape: shape, pixels: [0, 0, 0], labels: [0], classNames: ["a"]))
        XCTAssertThrowsError(try ImageDataset(shape: shape, pixels: [0, 0, 0, 0], labels: [1], classNames: ["a"]))
        XCTAssertThrowsError(try ImageDataset(shape: shape, pixels: [0, 0, 0, 0], labels: [0], classNames: ["a"],
                                              attributes: [DatasetAttribute(name: "x", valueNames: ["0"], values: [3])]))
        XCTAssertThrowsError(try ImageDataset(shape: SampleShape(channels: 2, height: 1, width: 1), pixels: [0, 0], labels: [0], classNames: ["a"]))
    }

    func testSummaryCountsClassesAttributesGroupsAndMaskPixels() throws {
        let data = try TestData.squares(count: 8, classes: 2)
            .injecting(SpuriousAttribute(name: "border", feature: .border(width: 1)), correlation: 0.75, seed: 1)
        let summary = data.summary
        XCTAssertEqual(summary.classes, [NamedCount(name: "c0", count: 4), NamedCount(name: "c1", count: 4)])
        XCTAssertEqual(summary.groups.map(\.count), [3, 1, 1, 3])
        XCTAssertEqual(summary.groups[1].name, "label=c0, border=1")
        XCTAssertTrue(summary.lines().contains { $0.contains("label=c1, border=1") && $0.hasSuffix("3") })
        let masks = try scenes().summary.maskPixels
        XCTAssertEqual(masks?.reduce(0) { $0 + $1.count }, 6 * 100)
    }
}
