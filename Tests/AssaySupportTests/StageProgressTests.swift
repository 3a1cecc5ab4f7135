import AssaySupport
import XCTest

final class StageProgressTests: XCTestCase {
    func testNamedFiguresFillTheFieldsAndTheRestStayMetrics() {
        let p = StageProgress(fraction: 0.25, message: "epoch 1/4", metrics: [
            "step": 30, "total-steps": 120, "epoch": 1, "epochs": 4, "loss": 0.5, "items": 3_840, "accuracy": 0.9,
        ])
        XCTAssertEqual(p, StageProgress(step: 30, totalSteps: 120, epoch: 1, epochs: 4, loss: 0.5, items: 3_840,
                                        message: "epoch 1/4", metrics: ["accuracy": 0.9]))
        XCTAssertTrue(p.countsSteps)
        XCTAssertEqual(p.fraction, 0.25)
    }

    func testABareFractionBecomesPerMilleStepsThatAreNotUnitsOfWork() {
        let p = StageProgress(fraction: 0.4567)
        XCTAssertEqual(p.step, 456)
        XCTAssertEqual(p.totalSteps, 1000)
        XCTAssertFalse(p.countsSteps, "the dashboard shows a percentage, not 456/1000 steps")
        XCTAssertEqual(StageProgress(fraction: nil, message: "resumed", isNotice: true).fraction, nil)
    }

    func testANaNLossIsKeptAndOtherNonFiniteCountsAreDropped() {
        let p = StageProgress(fraction: nil, metrics: ["loss": .nan, "step": .infinity])
        XCTAssertTrue(p.loss?.isNaN == true, "a diverged loss must reach the screen")
        XCTAssertEqual(p.step, 0)
        XCTAssertFalse(p.countsSteps)
        // A fraction that is not a number, or out of range, must not trap the engine.
        XCTAssertEqual(StageProgress(fraction: .nan).fraction, nil)
        XCTAssertEqual(StageProgress(fraction: 7).step, 1000)
        XCTAssertEqual(StageProgress(fraction: 0.5, metrics: ["items": 1e300]).items, nil)
    }
}
