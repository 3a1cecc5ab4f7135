@testable import AssayReport
import AssaySupport
import Foundation
import XCTest

/// A clock the test moves by hand.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Double = 1000

    func advance(_ delta: Double) {
        lock.lock(); seconds += delta; lock.unlock()
    }

    var now: ProgressRenderer.Clock {
        { [self] in lock.lock(); defer { lock.unlock() }; return seconds }
    }
}

final class ProgressRendererTests: XCTestCase {
    func progress(_ step: Int, loss: Double = 0.5, items: Int? = nil) -> ProgressEvent {
        .stageProgress(StageProgress(stage: "train", step: step, totalSteps: 100, epoch: step / 10 + 1, epochs: 10, loss: loss, items: items))
    }

    func testPlainModePrintsAtMostOneLinePerIntervalAndAlwaysTheLast() {
        let clock = FakeClock()
        var renderer = ProgressRenderer(mode: .plain(interval: 10), clock: clock.now)
        var lines: [ProgressRenderer.Output] = []
        lines += renderer.handle(.runStarted(stageCount: 2))
        lines += renderer.handle(.stageStarted(stage: "train", totalSteps: 100))
        for step in 1...42 {
            clock.advance(1)
            lines += renderer.handle(progress(step, loss: 1 / Double(step)))
        }
        clock.advance(0.5)
        lines += renderer.handle(.stageFinished(stage: "train"))
        lines += renderer.handle(.stageCached(stage: "load"))
        lines += renderer.handle(.runFinished)
        XCTAssertEqual(lines, [
            .line("start train (100 steps)"),
            .line("train: epoch 2/10, step 10/100 (10%), loss 0.1000, 1.00 it/s, ETA 1m30s"),
            .line("train: epoch 3/10, step 20/100 (20%), loss 0.0500, 1.00 it/s, ETA 1m20s"),
            .line("train: epoch 4/10, step 30/100 (30%), loss 0.0333, 1.00 it/s, ETA 1m10s"),
            .line("train: epoch 5/10, step 40/100 (40%), loss 0.0250, 1.00 it/s, ETA 1m00s"),
            // Step 42 came 2 s after the last line: held back, then printed as the stage ends
            // (41 steps in 41.5 s since the first report: 58 steps left take 58.7 s).
            .line("train: epoch 5/10, step 42/100 (42%), loss 0.0238, 0.99 it/s, ETA 58.7s"),
            .line("done train in 42.5s, loss 0.0238"),
            .line("2 stages: 1 done, 0 cached, 0 running, 0 failed, 1 waiting"),
            // The status line is rate-limited too; the cached stage's follows only at the end.
            .line("cached load"),
            .line("2 stages: 1 done, 1 cached, 0 running, 0 failed"),
        ])
    }

    func testPlainModeDoesNotRepeatALineAlreadyPrinted() {
        let clock = FakeClock()
        var renderer = ProgressRenderer(mode: .plain(interval: 5), clock: clock.now)
        _ = renderer.handle(.stageStarted(stage: "train", totalSteps: 100))
        clock.advance(5)
        XCTAssertEqual(renderer.handle(progress(50)).count, 1)
        let end = renderer.handle(.stageFinished(stage: "train"))
        XCTAssertEqual(end.first, .line("done train in 5.0s, loss 0.5000"))
    }

    func testFailureFlushesTheLastProgressAndSaysWhy() {
        let clock = FakeClock()
        var renderer = ProgressRenderer(mode: .plain(interval: 60), clock: clock.now)
        _ = renderer.handle(.stageStarted(stage: "train", totalSteps: nil))
        clock.advance(2)
        _ = renderer.handle(.stageProgress(StageProgress(stage: "train", step: 3, loss: .nan)))
        clock.advance(1)
        XCTAssertEqual(renderer.handle(.stageFailed(stage: "train", message: "loss became NaN")), [
            .line("train: step 3, loss nan"),
            .line("FAILED train after 3.0s: loss became NaN"),
            .line("stages: 0 done, 0 cached, 0 running, 1 failed"),
        ])
        XCTAssertEqual(renderer.status, RunStatus(total: nil, done: 0, cached: 0, running: 0, failed: 1))
    }

    func testTerminalModeRedrawsALiveLineAtMostTenTimesASecond() {
        let clock = FakeClock()
        var renderer = ProgressRenderer(mode: .terminal(width: 120), clock: clock.now)
        _ = renderer.handle(.runStarted(stageCount: 3))
        XCTAssertEqual(renderer.handle(.stageCached(stage: "load")), [.line("= load"), .redraw("[1/3 · 1 cached]")])
        XCTAssertEqual(renderer.handle(.stageStarted(stage: "train", totalSteps: 100)),
                       [.redraw("[1/3 · 1 cached · 1 running] train " + ProgressLine.bar(0, width: 30) + " 0%  step 0/100")])
        var redraws = 0
        for step in 1...50 {
            clock.advance(0.02)
            for output in renderer.handle(progress(step, items: step * 32)) {
                guard case .redraw(let text) = output else { return XCTFail("unexpected \(output)") }
                XCTAssertLessThanOrEqual(text.count, 120)
                redraws += 1
            }
        }
        XCTAssertEqual(redraws, 10, "one redraw per 0.1 s over 1 s of progress")
        clock.advance(0.1)
        guard case .redraw(let live)? = renderer.handle(progress(51, items: 51 * 32)).first else { return XCTFail("no redraw") }
        // 50 steps in 1.1 s since the first report: 45.5 it/s, 1.5k examples/s, 49 steps left.
        XCTAssertTrue(live.hasPrefix("[1/3 · 1 cached · 1 running] train █"), live)
        XCTAssertTrue(live.contains(" 51%  epoch 6/10  step 51/100  loss 0.5000  1.5k ex/s  ETA 1.1s"), live)
        let end = renderer.handle(.stageFinished(stage: "train"))
        XCTAssertEqual(end, [.line("✓ train in 1.1s, loss 0.5000"), .redraw("[2/3 · 1 cached]")])
    }

    func testLateProgressForAnEndedStageIsIgnored() {
        let clock = FakeClock()
        var renderer = ProgressRenderer(mode: .plain(interval: 0), clock: clock.now)
        _ = renderer.handle(.stageStarted(stage: "train", totalSteps: 10))
        _ = renderer.handle(.stageFinished(stage: "train"))
        XCTAssertEqual(renderer.handle(progress(10)), [])
        XCTAssertEqual(renderer.status.running, 0)
        XCTAssertEqual(renderer.status.done, 1)
    }

    func testLiveLineFitsNarrowTerminals() {
        let status = RunStatus(total: 12, done: 3, cached: 4, running: 2, failed: 1)
        let progress = StageProgress(stage: "a-stage-with-a-long-name", step: 7, totalSteps: 9, epoch: 1, epochs: 3, loss: 0.0001234)
        let rate = ProgressLine.Rate(stepsPerSecond: 2)
        for width in [20, 40, 60, 80, 200] {
            let line = ProgressLine.live(progress, rate: rate, status: status, width: width)
            XCTAssertLessThanOrEqual(line.count, width)
        }
        XCTAssertEqual(ProgressLine.live(progress, rate: rate, status: status, width: 200),
                       "[8/12 · 4 cached · 2 running · 1 failed] a-stage-with-a-long-name " + ProgressLine.bar(7.0 / 9, width: 30)
                       + " 77%  epoch 1/3  step 7/9  loss 1.23e-4  2.00 it/s  ETA 1.0s")
        XCTAssertTrue(ProgressLine.live(progress, rate: rate, status: status, width: 40).hasSuffix("…"))
    }

    func testBarIsProportionalAndClamped() {
        XCTAssertEqual(ProgressLine.bar(0.5, width: 10), "█████░░░░░")
        XCTAssertEqual(ProgressLine.bar(2, width: 4), "████")
        XCTAssertEqual(ProgressLine.bar(.nan, width: 3), "░░░")
    }

    func testRatesAndStatusLines() {
        XCTAssertEqual(ProgressLine.rateText(0.5234), "0.52")
        XCTAssertEqual(ProgressLine.rateText(35.04), "35.0")
        XCTAssertEqual(ProgressLine.rateText(1234), "1.2k")
        XCTAssertEqual(ProgressLine.rateText(3_400_000), "3.4M")
        XCTAssertEqual(RunStatus(total: 7, done: 3, cached: 2, running: 1).line, "7 stages: 3 done, 2 cached, 1 running, 0 failed, 1 waiting")
        XCTAssertEqual(RunStatus(total: 7, done: 3, cached: 2, running: 1).compact, "[5/7 · 2 cached · 1 running]")
    }

    func testTerminalAndPlainBytes() {
        XCTAssertEqual(ProgressRenderer.terminalText(.redraw("x")), "\r\u{1B}[2Kx")
        XCTAssertEqual(ProgressRenderer.terminalText(.line("x")), "\r\u{1B}[2Kx\n")
        XCTAssertEqual(ProgressRenderer.plainText(.line("x")), "x\n")
    }
}
