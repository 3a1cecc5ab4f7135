import AssaySupport
import XCTest
@testable import AssayLearn

final class GroupSamplingTests: XCTestCase {
    let groups: [Int32] = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 3) + Array(repeating: 2, count: 7)

    func testBalancedSubsampleTakesTheSmallestGroupSizeFromEachGroup() throws {
        var random = SeededRandom(seed: 1)
        let rows = try GroupSampling.balancedSubsample(groups: groups, random: &random)
        XCTAssertEqual(rows.count, 9)
        XCTAssertEqual(Set(rows).count, 9)
        for g: Int32 in 0...2 { XCTAssertEqual(rows.filter { groups[$0] == g }.count, 3) }
    }

    func testBalancedSubsampleIsSeeded() throws {
        var a = SeededRandom(seed: 4), b = SeededRandom(seed: 4), c = SeededRandom(seed: 5)
        let first = try GroupSampling.balancedSubsample(groups: groups, random: &a)
        XCTAssertEqual(first, try GroupSampling.balancedSubsample(groups: groups, random: &b))
        XCTAssertNotEqual(first, try GroupSampling.balancedSubsample(groups: groups, random: &c))
    }

    func testStratifiedHalvesSplitEveryGroupAndCoverAllRows() {
        var random = SeededRandom(seed: 2)
        let (first, second) = GroupSampling.stratifiedHalves(groups: groups, random: &random)
        XCTAssertEqual(Set(first).union(second), Set(0..<20))
        XCTAssertTrue(Set(first).isDisjoint(with: second))
        XCTAssertEqual(first.filter { groups[$0] == 0 }.count, 5)
        XCTAssertEqual(first.filter { groups[$0] == 1 }.count, 1)
        XCTAssertEqual(first.filter { groups[$0] == 2 }.count, 3)
    }

    func testStratifiedSplitTakesTheFractionOfEveryGroupAndTheRestIsDisjoint() {
        var random = SeededRandom(seed: 3)
        let (fit, heldOut) = GroupSampling.stratifiedSplit(groups: groups, fraction: 0.3, random: &random)
        XCTAssertTrue(Set(fit).isDisjoint(with: heldOut))
        XCTAssertEqual(Set(fit).union(heldOut), Set(0..<20))
        XCTAssertEqual([0, 1, 2].map { g in fit.filter { groups[$0] == Int32(g) }.count }, [3, 0, 2], "⌊0.3 · nᵍ⌋ per group")
        XCTAssertEqual(fit, fit.sorted())
        XCTAssertEqual(heldOut, heldOut.sorted())
    }

    func testStratifiedSplitOfASubsetStaysInsideIt() {
        var random = SeededRandom(seed: 3)
        let subset = Array(stride(from: 0, to: 20, by: 2))
        let (fit, heldOut) = GroupSampling.stratifiedSplit(groups: groups, rows: subset, fraction: 0.5, random: &random)
        XCTAssertEqual(Set(fit).union(heldOut), Set(subset))
        XCTAssertTrue(Set(fit).isDisjoint(with: heldOut))
    }

    func testInverseGroupSizeWeightsGiveEveryGroupTheSameTotalAndAverageOne() {
        let weights = GroupSampling.inverseGroupSizeWeights(groups: groups)
        let totals = (0...2).map { g in groups.indices.filter { groups[$0] == Int32(g) }.reduce(0.0) { $0 + weights[$1] } }
        for total in totals { XCTAssertEqual(total, 20.0 / 3, accuracy: 1e-12) }
        XCTAssertEqual(weights.reduce(0, +) / 20, 1, accuracy: 1e-12)
        XCTAssertEqual(weights[10], 20.0 / 9, accuracy: 1e-12, "a row of the 3-row group")
        // Among a subset only its rows are weighed; the others stay 1.
        let subset = [0, 1, 10, 11, 12]
        let partial = GroupSampling.inverseGroupSizeWeights(groups: groups, rows: subset)
        XCTAssertEqual(partial[0], 5.0 / 4, accuracy: 1e-12)
        XCTAssertEqual(partial[10], 5.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(partial[15], 1)
    }
}
