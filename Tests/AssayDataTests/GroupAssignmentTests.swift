import XCTest
@testable import AssayData

final class GroupAssignmentTests: XCTestCase {
    private func bordered(count: Int = 400, correlation: Double = 0.9) throws -> ImageDataset {
        try TestData.squares(count: count, classes: 2).injecting(SpuriousAttribute(name: "border", feature: .border(width: 1)), correlation: correlation, seed: 4)
    }

    func testGroupNumberingIsLabelTimesValuesPlusValue() throws {
        let data = try bordered()
        let groups = try data.groups(by: ["border"])
        let border = try data.attribute(named: "border").values
        for i in 0 ..< data.count { XCTAssertEqual(groups.ids[i], data.labels[i] * 2 + border[i]) }
        XCTAssertEqual(groups.scheme.name(of: 3), "label=c1, border=1")
        XCTAssertEqual(groups.counts, [180, 20, 20, 180])
        XCTAssertEqual(try data.groups(by: ["label", "border"]), groups)
        let scheme = GroupScheme(classNames: ["a", "b", "c"], attributeNames: ["x", "y"], attributeValueNames: [["0", "1"], ["p", "q", "r"]])
        XCTAssertEqual(scheme.groupCount, 18)
        XCTAssertEqual(scheme.group(label: 2, values: [1, 2]), (2 * 2 + 1) * 3 + 2)
        XCTAssertEqual(scheme.components(of: 17).label, 2)
        XCTAssertEqual(scheme.components(of: 17).values, [1, 2])
    }

    func testBalancedSubsampleHasEqualGroupCounts() throws {
        let data = try bordered()
        let groups = try data.groups(by: ["border"])
        let chosen = try groups.balancedSubsample(seed: 3)
        let sub = try data.subset(chosen).groups(by: ["border"])
        XCTAssertEqual(sub.counts, [20, 20, 20, 20])
        XCTAssertEqual(chosen, try groups.balancedSubsample(seed: 3))
        XCTAssertNotEqual(chosen, try groups.balancedSubsample(seed: 4))
    }

    func testEmptyGroupErrorNamesTheGroup() throws {
        var data = try bordered(count: 40, correlation: 1)
        data.classNames = ["dress", "coat"]
        XCTAssertThrowsError(try data.groups(by: ["border"])) { error in
            guard case let .emptyGroup(group, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(group, "label=dress, border=1")
            XCTAssertTrue(String(describing: error).contains("label=dress, border=1"))
        }
        XCTAssertEqual(try data.groups(by: ["border"], requireAll: false).counts, [20, 0, 0, 20])
    }

    func testHalvesAreDisjointCoverAndStratified() throws {
        let data = try bordered()
        let groups = try data.groups(by: ["border"])
        let (first, second) = groups.halves(seed: 8)
        XCTAssertNoThrow(try GroupAssignment.checkPartition([first, second], total: data.count))
        XCTAssertEqual(try data.subset(first).groups(by: ["border"]).counts, [90, 10, 10, 90])
        XCTAssertThrowsError(try GroupAssignment.checkPartition([first, first], total: data.count))
        XCTAssertThrowsError(try GroupAssignment.checkPartition([first], total: data.count))
    }

    func testInverseFrequencyWeightsGiveEqualGroupMass() throws {
        let groups = try bordered().groups(by: ["border"])
        let weights = groups.inverseFrequencyWeights()
        var mass = [Float](repeating: 0, count: 4)
        for (i, g) in groups.ids.enumerated() { mass[Int(g)] += weights[i] }
        for m in mass { XCTAssertEqual(m, 100, accuracy: 1e-3) }
    }
}
