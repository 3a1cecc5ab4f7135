import AssayEngine
import AssayStages
import Foundation
import XCTest

/// The full Colored Fashion-MNIST experiment (60,000 images, 3 epochs), cold and warm, over
/// seeds 0, 1, 2. Minutes long, so it runs only with `ASSAY_MEASURE_CFMNIST=1`; it prints
/// the timings and the ERM / DFR / all-layer DFR table.
final class ColoredFashionMNISTMeasurement: XCTestCase {
    func testFullExperimentThreeSeeds() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["ASSAY_MEASURE_CFMNIST"] == "1", "set ASSAY_MEASURE_CFMNIST=1 to measure")
        try XCTSkipUnless(ColoredFashionMNISTHarness.fashionMNISTAvailable, "Fashion-MNIST is not installed")
        let seeds = (ProcessInfo.processInfo.environment["ASSAY_MEASURE_SEEDS"] ?? "0,1,2").split(separator: ",").map(String.init)
        var rows: [String] = []
        for seed in seeds {
            let harness = try ColoredFashionMNISTHarness()
            let start = Date()
            let cold = try harness.run(overrides: [("seed", seed)])
            let coldSeconds = Date().timeIntervalSince(start)
            let warmStart = Date()
            let warm = try harness.run(overrides: [("seed", seed)])
            let warmSeconds = Date().timeIntervalSince(warmStart)
            XCTAssertEqual(warm.executed, [])
            func m(_ stage: String, _ key: String) -> Double { cold.report(stage: stage)?.metrics[key] ?? .nan }
            let row = String(format: "seed %@: ERM wga %.4f mean %.4f | DFR wga %.4f mean %.4f | all-layer wga %.4f mean %.4f | cold %.1f s, warm %.2f s",
                             seed, m("erm-eval", "worst-group-accuracy"), m("erm-eval", "mean-accuracy"), m("dfr", "worst-group-accuracy"),
                             m("dfr", "mean-accuracy"), m("all-layer", "worst-group-accuracy"), m("all-layer", "mean-accuracy"), coldSeconds, warmSeconds)
            rows.append(row)
            print(row)
            print("stage durations:", cold.stages.map { "\($0.stage)=\(String(format: "%.1f", $0.duration))" }.joined(separator: " "))
            print(String(decoding: cold.report(stage: "table")?.tables["table"] ?? [], as: UTF8.self))
        }
        print(rows.joined(separator: "\n"))
    }
}
