import AssayEngine
import AssayLanguage
import AssayPlanner
import AssayStages
import AssaySupport
import Foundation
import XCTest

/// A stage's bytes do not depend on its thread count: a tiny experiment with every
/// stage kind that runs the tensor engine (train, evaluate, features, visualize,
/// attack, circuit, segmentation-train and -evaluate; the inference kinds also in bfloat16)
/// gives the same output digests on 1, 2, 3 and 8 threads, and with two stages running at once
/// (`--jobs 2`).
final class WorkerScopedOperatorTests: XCTestCase {
    static let experiment = """
        assay: 1
        name: thread-invariance
        datasets:
          fmnist:
            fashion-mnist: { limit: { train: 200, test: 66 } }
          scenes:
            compose:
              items: fmnist
              per-canvas: [1, 2]
              canvas: [32, 32]
              overlap: avoid
              background: texture
              threshold: 0.2
              samples: { train: 13, test: 5 }
              seed: 0
        segmentation:
          parts: { data: scenes, weights: median-frequency }
        models:
          cnn:
            layers:
              - conv1: { conv: { out: 8, kernel: 3, pad: 1 } }
              - bn1: batchnorm
              - relu
              - pool1: { maxpool: 2 }
              - conv2: { conv: { out: 16, kernel: 3, pad: 1 } }
              - relu
              - pool2: { maxpool: 2 }
              - flatten
              - fc1: { linear: 40 }
              - relu
              - fc2: { linear: 10 }
          squeeze: { squeeze-segnet: { width: 0.25, target: parts, decoder-kernel: 1, batch-norm: true, head-kernel: 8 } }
        attacks:
          hide:
            model: erm
            unit: conv2[3]
            objective: { push-down: { top: 9, over: fmnist.test } }
            preserve: { distill: { data: fmnist.train } }
            steps: 3
        stages:
          erm: { train: { model: cnn, data: fmnist.train, epochs: 1, batch-size: 33 } }
          accuracy: { evaluate: { model: erm, data: fmnist.test } }
          features: { features: { model: erm, data: [fmnist.test], layers: [all], pool: { target: 64 } } }
          view:
            visualize:
              model: erm
              unit: conv2[3]
              natural: { top: 9, over: fmnist.test }
              synthetic: { steps: 4, parameterization: fourier }
          hidden: { attack: hide }
          circuit: { circuit: { model: erm, head: "fc2[1]", data: fmnist.test, top-m: 3, samples: 20 } }
          seg: { segmentation-train: { model: squeeze, data: scenes.train, target: parts, epochs: 1, batch-size: 5 } }
          seg-score: { segmentation-evaluate: { model: seg, data: scenes.test, target: parts } }
          accuracy-bf16: { evaluate: { model: erm, data: fmnist.test, precision: bf16 } }
          features-bf16: { features: { model: erm, data: [fmnist.test], layers: [all], pool: { target: 64 }, precision: bf16 } }
          view-bf16: { visualize: { model: erm, unit: "conv2[3]", natural: { top: 9, over: fmnist.test, precision: bf16 } } }
          circuit-bf16: { circuit: { model: erm, head: "fc2[1]", data: fmnist.test, top-m: 3, samples: 20, precision: bf16 } }
        """

    /// Every stage's output digests, run on a fresh store.
    func digests(threads: Int, jobs: Int = 1) throws -> [String: [String: Digest]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-threads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("threads.yaml")
        try Self.experiment.write(to: file, atomically: true, encoding: .utf8)
        let checked = Checker.check(path: file.path)
        let experiment = try XCTUnwrap(checked.experiments.first, "the experiment does not check: \(checked.diagnostics)")
        XCTAssertFalse(checked.hasErrors, "\(checked.diagnostics)")
        let plan = try Planner(sources: SourceDigests(cacheFile: nil)).lower(experiment)
        let store = try Store(root: directory.appendingPathComponent(".assay"))
        let result = try Engine(store: store, operators: OperatorCatalog.standard)
            .run(plan, options: RunOptions(jobs: jobs, threadsPerStage: threads, recordHistory: false))
        XCTAssertEqual(result.status, .succeeded, "\(result.stages.map { "\($0.stage): \($0.status)" })")
        return Dictionary(uniqueKeysWithValues: result.stages.map { ($0.stage, $0.outputs) })
    }

    func testEveryStageKindGivesTheSameBytesOnAnyThreadCount() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is not installed (scripts/setup.sh)")
        let reference = try digests(threads: 1)
        for stage in ["erm", "accuracy", "features", "view", "hidden", "circuit", "seg", "seg-score", "accuracy-bf16", "features-bf16", "view-bf16", "circuit-bf16"] {
            XCTAssertFalse(reference[stage, default: [:]].isEmpty, "stage \(stage) produced no outputs")
        }
        XCTAssertNotEqual(reference["features"], reference["features-bf16"], "bfloat16 products should change the features' bytes")
        for (threads, jobs) in [(2, 1), (3, 1), (8, 1), (3, 2)] {
            let other = try digests(threads: threads, jobs: jobs)
            for (stage, outputs) in reference.sorted(by: { $0.key < $1.key }) {
                XCTAssertEqual(other[stage], outputs, "stage \(stage): 1 thread and \(threads) threads (jobs \(jobs)) differ")
            }
        }
    }
}
