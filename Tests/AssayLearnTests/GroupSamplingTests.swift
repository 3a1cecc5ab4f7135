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
}
