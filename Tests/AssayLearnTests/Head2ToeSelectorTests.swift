import AssaySupport
import XCTest
@testable import AssayLearn

final class Head2ToeSelectorTests: XCTestCase {
    /// 3 classes, 200 features of which 6 (planted at scattered indices) carry the
    /// class; the rest is noise of the same scale.
    func makeData(seed: UInt64) -> (x: FeatureMatrix, labels: [Int32], groups: [Int32], planted: [Int]) {
        var random = SeededRandom(seed: seed)
        let d = 200, n = 600
        let planted = [3, 41, 77, 120, 150, 199]
        var values = [Float](repeating: 0, count: n * d)
        var labels: [Int32] = [], groups: [Int32] = []
        for i in 0..<n {
            let y = i % 3
            labels.append(Int32(y))
            groups.append(Int32(y * 2 + random.nextInt(below: 2)))
            for j in 0..<d { values[i * d + j] = random.nextNormal() }
            for (k, j) in planted.enumerated() where k % 3 == y || (k + 1) % 3 == y {
                values[i * d + j] += k % 3 == y ? 1.2 : -1.2
            }
        }
        return (FeatureMatrix(rows: n, columns: d, values: values), labels, groups, planted)
    }

    func testRecoversPlantedInformativeFeatures() throws {
        let data = makeData(seed: 1)
        let selector = Head2ToeSelector(relativeLambda: 0.2, keepFraction: 0.03, seed: 2)
        let selection = try selector.select(data.x, labels: data.labels, groups: data.groups)
        XCTAssertEqual(selection.selected, data.planted)
        XCTAssertEqual(selection.ranking.count, 200)
        // Group lasso zeroes most noise rows.
        XCTAssertLessThan(selection.nonzeroRows, 100)
        let lowestPlanted = data.planted.map { selection.scores[$0] }.min()!
        let highestNoise = (0..<200).filter { !data.planted.contains($0) }.map { selection.scores[$0] }.max()!
        XCTAssertGreaterThan(lowestPlanted, 5 * highestNoise)
    }

    func testReweightingUsesEveryRowAndRecoversPlantedFeaturesDespiteASmallGroup() throws {
        // Keep one row in four of groups 0 and 1: class 0 becomes a small minority.
        let data = makeData(seed: 1)
        let rows = data.labels.indices.filter { data.groups[$0] > 1 || $0 % 4 == 0 }
        let x = data.x.selectingRows(rows), labels = rows.map { data.labels[$0] }, groups = rows.map { data.groups[$0] }
        let selection = try Head2ToeSelector(relativeLambda: 0.2, keepFraction: 0.03, balance: .reweight, seed: 2)
            .select(x, labels: labels, groups: groups)
        XCTAssertEqual(selection.trainingRows, rows.count, "reweighting fits on every row")
        XCTAssertEqual(selection.selected, data.planted)
        let subsampled = try Head2ToeSelector(relativeLambda: 0.2, keepFraction: 0.03, seed: 2).select(x, labels: labels, groups: groups)
        XCTAssertLessThan(subsampled.trainingRows, rows.count)
        XCTAssertNotEqual(selection.scores, subsampled.scores)
    }

    func testZeroRowsAreRankedByTheirPullTowardsTheModel() throws {
        // λ so large that at most a few rows survive; the rest of the top 10% must still
        // prefer planted features (their gradient norm is larger) over noise.
        let data = makeData(seed: 7)
        let selection = try Head2ToeSelector(relativeLambda: 0.95, keepFraction: 0.03, seed: 1)
            .select(data.x, labels: data.labels, groups: data.groups)
        XCTAssertLessThan(selection.nonzeroRows, 6)
        XCTAssertEqual(selection.selected, data.planted)
    }

    func testSelectionIsDeterministicForASeed() throws {
        let data = makeData(seed: 3)
        let selector = Head2ToeSelector(keepFraction: 0.1, maxIterations: 50, seed: 4)
        let a = try selector.select(data.x, labels: data.labels, groups: data.groups)
        let b = try selector.select(data.x, labels: data.labels, groups: data.groups)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.selected.count, 20)
        XCTAssertEqual(try a.keeping(fraction: 0.1), a.selected)
        let wider = try a.keeping(fraction: 0.25)
        XCTAssertEqual(wider.count, 50)
        XCTAssertTrue(Set(a.selected).isSubset(of: wider))
    }

    func testAnyThreadCountGivesIdenticalResults() throws {
        let data = makeData(seed: 8)
        func select(threads: Int) throws -> Head2ToeSelection {
            try Head2ToeSelector(relativeLambda: 0.2, keepFraction: 0.03, seed: 2, threads: threads)
                .select(data.x, labels: data.labels, groups: data.groups)
        }
        let one = try select(threads: 1)
        for threads in [2, 3, 8] { XCTAssertEqual(try select(threads: threads), one, "\(threads) threads") }
    }

    func testObjectiveDecreasesOverIterations() throws {
        let data = makeData(seed: 5)
        var objectives: [Double] = []
        _ = try Head2ToeSelector(maxIterations: 100, tolerance: 0, seed: 0)
            .select(data.x, labels: data.labels, groups: data.groups) { _, objective in objectives.append(objective) }
        // Tolerance 0 still stops at an exact fixed point (W⁺ == W in float), which this
        // problem reaches a few iterations before the cap.
        XCTAssertGreaterThan(objectives.count, 80)
        XCTAssertLessThanOrEqual(objectives.count, 100)
        XCTAssertLessThan(objectives.last!, objectives.first! * 0.8)
    }

    func testInvalidKeepFractionIsRejected() {
        let data = makeData(seed: 6)
        XCTAssertThrowsError(try Head2ToeSelector(keepFraction: 0).select(data.x, labels: data.labels, groups: data.groups))
    }
}
