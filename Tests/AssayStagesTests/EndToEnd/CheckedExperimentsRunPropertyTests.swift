import AssayData
import AssayEngine
import AssayLanguage
import AssaySupport
import Foundation
import XCTest

/// What checks, runs: random valid experiments covering every stage kind and every layer kind,
/// with values drawn from the ranges the registry accepts, go through the checker, the planner
/// and a tiny real execution (synthetic data, one epoch, a few steps), and no stage may fail.
///
/// Seeded: a failure names its seed and prints the experiment. `ASSAY_PROPERTY_CASES=N` runs more.
final class CheckedExperimentsRunPropertyTests: XCTestCase {
    static let objectives = ["push-down", "push-up", "fairwashing", "proxpulse", "circuit"]
    static var cases: Int { ProcessInfo.processInfo.environment["ASSAY_PROPERTY_CASES"].flatMap(Int.init) ?? 34 }

    /// Runs one generated experiment; returns whether it checked (a stage failure fails the test).
    func run(_ text: String, seed: UInt64, in harness: StageHarness) throws -> Bool {
        let file = harness.directory.appendingPathComponent("case-\(seed).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let checked = Checker.check(path: file.path)
        guard !checked.hasErrors else {
            let rendered = DiagnosticRenderer(sources: checked.sources).renderText(checked.diagnostics)
            print("seed \(seed): the generated experiment does not check (the generator's fault, counted):\n\(rendered)")
            return false
        }
        let result = try harness.runExperiment(text, name: "case-\(seed).yaml", threads: 1)
        for report in result.stages {
            if case .failed(let message) = report.status {
                XCTFail("seed \(seed): stage `\(report.stage)` of an experiment that checked failed at run time:\n\(message)\n--- experiment ---\n\(text)")
            }
        }
        return true
    }

    func testRandomValidClassificationExperimentsRunWithoutFailures() throws {
        let harness = try StageHarness()
        // The ProxPulse target image lives beside the experiments.
        let checkerboard: [UInt8] = (0..<64).map { (i: Int) -> UInt8 in (i / 8 + i % 8) % 2 == 0 ? 0 : 255 }
        try PNGCodec.write(RasterImage(width: 8, height: 8, channels: 1, pixels: checkerboard), to: harness.directory.appendingPathComponent("target.png"))
        let kinds = ExperimentGenerator.imageKinds
        var ran: Set<LayerKind> = [], objectivesRun: Set<String> = [], checkedCount = 0
        for i in 0..<max(Self.cases, kinds.count) {
            var generator = ExperimentGenerator(seed: UInt64(i))
            let objective = Self.objectives[i % Self.objectives.count]
            let text = generator.classification(wanted: kinds[i % kinds.count], objective: objective)
            if try run(text, seed: UInt64(i), in: harness) {
                checkedCount += 1
                ran.formUnion(generator.kinds)
                objectivesRun.insert(objective)
            }
        }
        XCTAssertGreaterThanOrEqual(checkedCount, max(Self.cases, kinds.count) * 3 / 4, "too many generated experiments did not check")
        let segmentation = try segmentationKindsRun(harness)
        let missing = Set(LayerKind.allCases).subtracting(ran).subtracting(segmentation)
        XCTAssertTrue(missing.isEmpty, "layer kinds never in an experiment that checked and ran: \(missing.map(\.rawValue).sorted())")
        XCTAssertEqual(objectivesRun, Set(Self.objectives), "attack objectives never run")
        let stageKinds = Set(OperatorRegistry.standard.stageOperators.map(\.name))
        XCTAssertEqual(stageKinds, ["attack", "circuit", "compare", "compare-circuits", "evaluate", "features", "report", "retrain-last-layer",
                                    "segmentation-evaluate", "segmentation-train", "select", "train", "visualize"],
                       "a stage kind was added: add it to the generator")
    }

    /// Segmentation experiments, upsampling by unpool and by transposed convolution; the layer kinds they ran.
    func segmentationKindsRun(_ harness: StageHarness) throws -> Set<LayerKind> {
        var ran: Set<LayerKind> = []
        for i in 0..<4 {
            var generator = ExperimentGenerator(seed: UInt64(1000 + i))
            let text = generator.segmentation(upsampling: i % 2 == 0 ? .unpool : .convTranspose)
            XCTAssertTrue(try run(text, seed: UInt64(1000 + i), in: harness), "seed \(1000 + i): the segmentation experiment does not check")
            ran.formUnion(generator.kinds)
        }
        return ran
    }
}
