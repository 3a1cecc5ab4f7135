import AssayEngine
import AssayLanguage
import AssaySupport
import Foundation
import XCTest

/// Stages read their data sets memory-mapped and convert a batch at a time; with
/// `ASSAY_DATA_IN_MEMORY=1` they copy the data into memory first, as they all did before.
/// Both paths must give every stage the same bytes: training (shuffled, augmented), evaluation,
/// features, attacks, visualisation, circuits and segmentation, compared output by output.
final class StageInputsTests: XCTestCase {
    /// Runs `text` in a fresh store, mapped or in memory; every stage must succeed.
    func outputs(of text: String, inMemory: Bool) throws -> (digests: [String: Digest], kinds: Set<String>) {
        if inMemory { setenv("ASSAY_DATA_IN_MEMORY", "1", 1) }
        defer { unsetenv("ASSAY_DATA_IN_MEMORY") }
        let harness = try StageHarness()
        let result = try harness.runExperiment(text, threads: 1)
        var digests: [String: Digest] = [:]
        for report in result.stages {
            if case .failed(let message) = report.status { XCTFail("stage `\(report.stage)` failed (in memory: \(inMemory)):\n\(message)") }
            for (output, digest) in report.outputs { digests["\(report.stage).\(output)"] = digest }
        }
        return (digests, Set(result.stages.map(\.operatorName)))
    }

    func testMappedAndInMemoryDataGiveEveryStageTheSameOutputs() throws {
        var experiments: [String] = []
        for seed in UInt64(0) ..< 8 where experiments.count < 2 {
            var generator = ExperimentGenerator(seed: seed)
            let text = generator.classification(wanted: .conv, objective: ["push-down", "circuit"][experiments.count])
            if !Checker.check(source: SourceFile(path: "generated.yaml", text: text)).hasErrors { experiments.append(text) }
        }
        var segmentation = ExperimentGenerator(seed: 1000)
        experiments.append(segmentation.segmentation(upsampling: .unpool))
        XCTAssertEqual(experiments.count, 3, "the generator gave too few experiments that check")

        var kinds: Set<String> = []
        for text in experiments {
            let mapped = try outputs(of: text, inMemory: false)
            let copied = try outputs(of: text, inMemory: true)
            XCTAssertFalse(mapped.digests.isEmpty)
            XCTAssertEqual(mapped.digests.keys.sorted(), copied.digests.keys.sorted())
            for (output, digest) in mapped.digests.sorted(by: { $0.key < $1.key }) {
                XCTAssertEqual(copied.digests[output], digest, "`\(output)` differs between mapped and in-memory data\n\(text)")
            }
            kinds.formUnion(mapped.kinds)
        }
        let needed: Set<String> = ["train", "evaluate", "features", "attack", "visualize", "circuit", "segmentation-train", "segmentation-evaluate"]
        XCTAssertTrue(needed.isSubset(of: kinds), "stage kinds not compared: \(needed.subtracting(kinds).sorted())")
    }
}
