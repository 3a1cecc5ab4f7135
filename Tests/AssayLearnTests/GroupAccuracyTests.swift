import XCTest
@testable import AssayLearn

final class GroupAccuracyTests: XCTestCase {
    /// Four groups (label, attribute): the minority groups 1 and 2 are mostly wrong.
    /// group 0: 4 of 4 right; group 1: 1 of 2; group 2: 0 of 2; group 3: 3 of 4.
    let truth: [Int32] =     [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    let predicted: [Int32] = [0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0]
    let groups: [Int32] =    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 3]

    func testPerGroupTableAndWorstGroupOnHandMadeCase() throws {
        let report = try GroupAccuracy(predicted: predicted, truth: truth, groups: groups)
        XCTAssertEqual(report.rows.map(\.group), [0, 1, 2, 3])
        XCTAssertEqual(report.rows.map(\.count), [4, 2, 2, 4])
        XCTAssertEqual(report.rows.map(\.correct), [4, 1, 0, 3])
        XCTAssertEqual(report.rows.map(\.accuracy), [1, 0.5, 0, 0.75])
        XCTAssertEqual(report.worstGroupAccuracy, 0)
        XCTAssertEqual(report.worstGroup, 2)
        XCTAssertEqual(report.meanAccuracy, 8.0 / 12.0, accuracy: 1e-12)
    }

    func testReweightedAccuracyUsesTheGivenGroupDistribution() throws {
        let report = try GroupAccuracy(predicted: predicted, truth: truth, groups: groups)
        // Training distribution 70 / 10 / 10 / 10 percent.
        let weights: [Int32: Double] = [0: 7, 1: 1, 2: 1, 3: 1]
        XCTAssertEqual(try report.reweightedAccuracy(weights: weights), 0.7 * 1 + 0.1 * 0.5 + 0 + 0.1 * 0.75, accuracy: 1e-12)
        // Uniform weights give the mean of group accuracies.
        XCTAssertEqual(try report.reweightedAccuracy(weights: [0: 1, 1: 1, 2: 1, 3: 1]), 2.25 / 4, accuracy: 1e-12)
        XCTAssertEqual(GroupAccuracy.groupCounts([0, 0, 3]), [0: 2, 3: 1])
    }

    func testReweightingToAnAbsentGroupIsAnError() throws {
        let report = try GroupAccuracy(predicted: predicted, truth: truth, groups: groups)
        XCTAssertThrowsError(try report.reweightedAccuracy(weights: [9: 1]))
    }

    func testMismatchedLengthsAreRejected() {
        XCTAssertThrowsError(try GroupAccuracy(predicted: [0], truth: [0, 1], groups: [0, 0]))
    }
}
