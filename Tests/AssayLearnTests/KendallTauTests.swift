import AssaySupport
import XCTest
@testable import AssayLearn

final class KendallTauTests: XCTestCase {
    /// x = [1, 2, 2, 3], y = [1, 3, 2, 2]. Pairs (6):
    /// (1,2) c, (1,3) c, (1,4) c, (2,3) tie x, (2,4) d (x up, y down), (3,4) tie y.
    /// n_c − n_d = 3 − 1 = 2; n₁ = 1, n₂ = 1 (y = 2 twice), n₃ = 0 → τ_b = 2 / √(5·5) = 0.4.
    func testHandComputedCaseWithTies() {
        XCTAssertEqual(KendallTau.tauB([1, 2, 2, 3] as [Double], [1, 3, 2, 2]), 0.4, accuracy: 1e-12)
    }

    func testPerfectAndReversedOrders() {
        let x: [Double] = [1, 2, 3, 4, 5]
        XCTAssertEqual(KendallTau.tauB(x, x), 1, accuracy: 1e-12)
        XCTAssertEqual(KendallTau.tauB(x, x.reversed()), -1, accuracy: 1e-12)
        XCTAssertTrue(KendallTau.tauB(x, [2, 2, 2, 2, 2]).isNaN)
    }

    func testMatchesQuadraticReferenceOnRandomDataWithTies() {
        var random = SeededRandom(seed: 11)
        for trial in 0..<20 {
            let n = 50 + trial * 13
            // Few distinct values so ties in x, y and both are common.
            let x = (0..<n).map { _ in Double(random.nextInt(below: 7)) }
            let y = (0..<n).map { i in trial % 2 == 0 ? Double(random.nextInt(below: 5)) : x[i] + Double(random.nextInt(below: 3)) }
            XCTAssertEqual(KendallTau.tauB(x, y), quadraticTauB(x, y), accuracy: 1e-12, "trial \(trial)")
        }
    }

    /// Direct pair counting, O(n²).
    func quadraticTauB(_ x: [Double], _ y: [Double]) -> Double {
        var concordantMinusDiscordant = 0, tiedX = 0, tiedY = 0
        let n = x.count
        for i in 0..<n {
            for j in (i + 1)..<n {
                let dx = x[i] - x[j], dy = y[i] - y[j]
                if dx == 0 { tiedX += 1 }
                if dy == 0 { tiedY += 1 }
                if dx * dy > 0 { concordantMinusDiscordant += 1 } else if dx * dy < 0 { concordantMinusDiscordant -= 1 }
            }
        }
        let pairs = n * (n - 1) / 2
        return Double(concordantMinusDiscordant) / (Double(pairs - tiedX) * Double(pairs - tiedY)).squareRoot()
    }
}
