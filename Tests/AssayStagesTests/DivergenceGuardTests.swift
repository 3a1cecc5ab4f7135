import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
import AssaySupport
import Foundation
import XCTest

@testable import AssayStages

/// `lr: 1e10` and NaN-filled weights: the three training loops stop at the first non-finite loss
/// or gradient with an error naming the stage, epoch and step, and nothing is recorded.
final class DivergenceGuardTests: XCTestCase {
    static func trainNode(lr: Double, optimizer: String = "sgd", epochs: Int = 2) -> PlanNode {
        StageHarness.node("erm", "train", [
            "model": TrainingOperatorTests.smallCNN(), "data": .null, "epochs": .int(epochs), "batch-size": 32, "optimizer": .string(optimizer), "lr": .double(lr),
            "momentum": 0.9, "weight-decay": 0.0, "augment": "none", "seed": 0, "lr-step": 0, "lr-gamma": 0.1,
        ], inputs: [("data", "bordered", "train")], outputs: ["metrics", "model"])
    }

    static func smallCNN() throws -> ModelSpec { try ModelSpec(canonical: TrainingOperatorTests.smallCNN(), name: "cnn") }

    func testTrainingWithAHugeLearningRateStopsAtTheFirstNaNAndRecordsNothing() throws {
        let harness = try StageHarness()
        let result = try harness.run(StageHarness.borderedSynthetic() + [Self.trainNode(lr: 1e10)])
        let message = try XCTUnwrap(StageHarness.failure(result, "erm"), "\(String(describing: result.report(stage: "erm")?.status))")
        // SGD with lr 1e10 blows the weights up on the first updates; the third step's loss is no longer finite.
        XCTAssertTrue(message.hasPrefix("stage `erm` (lr): training diverged at epoch 1, step 3: the loss is nan"), message)
        XCTAssertTrue(message.contains("lower `lr` (it is 1e+10), e.g. to 1e+09"), message)
        XCTAssertNil(try harness.store.actionRecord(for: try XCTUnwrap(result.report(stage: "erm")?.key)), "a diverged stage must not be recorded")
        XCTAssertTrue(result.report(stage: "erm")?.outputs.isEmpty ?? true)
    }

    func testTrainingWithASaneLearningRatePassesTheGuard() throws {
        let harness = try StageHarness()
        _ = try harness.runSucceeding(StageHarness.borderedSynthetic() + [Self.trainNode(lr: 0.01)])
    }

    func testANaNGradientIsNamedByParameter() throws {
        let network = try SpecNetwork(spec: try Self.smallCNN(), seed: 0)
        let guardian = DivergenceGuard(stage: "fit", learningRate: 0.003, network: network)
        let loss = Tensor([0.7], shape: [])
        for p in network.trainableParameters { p.grad = [Float](repeating: 0.25, count: p.count) }
        XCTAssertNoThrow(try guardian.check(loss: loss, epoch: 3, step: 5))
        let fc1 = try XCTUnwrap(network.namedParameters().first { $0.name == "fc1.weight" }?.tensor)
        fc1.grad![40] = .infinity
        XCTAssertThrowsError(try guardian.check(loss: loss, epoch: 3, step: 5)) { error in
            XCTAssertEqual("\(error)", "stage `fit` (lr): training diverged at epoch 3, step 5: the gradient of `fc1.weight` is inf (element 40) while the loss is 0.7; "
                + "the stage stops here and records nothing; lower `lr` (it is 0.003), e.g. to 0.0003, and run again")
        }
        XCTAssertThrowsError(try guardian.check(loss: Tensor([.nan], shape: []), epoch: nil, step: 12)) { error in
            XCTAssertTrue("\(error)".contains("training diverged at step 12: the loss is nan"), "\(error)")
        }
    }

    func testAnAttackWithAHugeLearningRateStopsAtAKnownStep() throws {
        let harness = try StageHarness()
        let train = Self.trainNode(lr: 0.01, optimizer: "adam", epochs: 1)
        let attack = StageHarness.node("hidden", "attack", ["attack": .map([
            "model": .null, "unit": ["layer": "conv1", "channel": 0],
            "objective": ["push-down": ["top": 5, "over": .null]],
            "preserve": ["distill": ["data": .null, "temperature": 1.0]],
            "alpha": 0.5, "steps": 20, "lr": 1e30, "batch-size": 16, "seed": 0,
        ])], inputs: [("attack.model", "erm", "model"), ("attack.objective.push-down.over", "bordered", "test"),
                      ("attack.preserve.distill.data", "bordered", "train")], outputs: ["metrics", "model"])
        let result = try harness.run(StageHarness.borderedSynthetic() + [train, attack])
        XCTAssertEqual(result.report(stage: "erm")?.status, .executed)
        let message = try XCTUnwrap(StageHarness.failure(result, "hidden"), "\(String(describing: result.report(stage: "hidden")?.status))")
        XCTAssertTrue(message.hasPrefix("stage `hidden` (attack.lr): training diverged at step 3: the loss is nan"), message)
        XCTAssertTrue(message.contains("lower `attack.lr` (it is 1e+30)"), message)
    }

    func testNaNFilledWeightsAreRefusedAtLoadNamingTheTensor() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nan-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = try Self.smallCNN()
        var tensors = try SpecNetwork(spec: spec, seed: 1).stateDict()
        tensors["fc1.weight"] = Tensor([Float](repeating: .nan, count: 16 * 144), shape: [16, 144])
        let path = directory.appendingPathComponent("nan.safetensors").path
        try SafeTensors.write(tensors, to: path)
        XCTAssertThrowsError(try PretrainedWeights.load(into: try SpecNetwork(spec: spec, seed: 2), from: path, stage: "fine-tune")) { error in
            XCTAssertEqual("\(error)", "stage `fine-tune` (models.cnn.weights): weights \(path): tensor `fc1.weight` holds nan at element 0 (2304 of 2304 values are not finite); "
                + "the file is damaged or was saved from a diverged training; export the weights again from a healthy model")
        }
    }

    func testSegmentationTrainingWithAHugeLearningRateStopsAtAKnownStep() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nan-seg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = """
        assay: 1
        datasets:
          fmnist: { fashion-mnist: {} }
          scenes: { compose: { items: fmnist, per-canvas: [1, 2], canvas: [32, 32], samples: { train: 8, test: 8 } } }
        segmentation:
          parts: { data: scenes }
        models:
          plain:
            - { conv: { out: 8, kernel: 3, pad: 1 } }
            - { conv: { out: 11, kernel: 3, pad: 1 } }
        stages:
          fit: { segmentation-train: { model: plain, data: scenes.train, target: parts, epochs: 1 } }
        """
        let checked = Checker.check(source: SourceFile(path: directory.appendingPathComponent("seg.yaml").path, text: yaml))
        let model = try XCTUnwrap(checked.experiments.first?.models["plain"], DiagnosticRenderer(sources: checked.sources).renderText(checked.diagnostics))
        let items = try FashionMNIST.load(.test).subset(Array(0..<50))
        let spec = SceneSpec(canvas: ImageSize(height: 32, width: 32), itemsPerScene: 1...2, overlap: .avoid, background: .plain(0), threshold: 64)
        let scenes = try SceneComposer.compose(items: items, count: 16, spec: spec, seed: 3)
        let classes = try XCTUnwrap(scenes.masks?.classNames)
        let target: CanonicalValue = ["classes": .list(classes.map { .string($0) }), "void": .null, "void-index": .null, "weights": "none"]
        let fit = StageHarness.node("fit", "segmentation-train", [
            "model": model.canonical, "target": target, "epochs": 2, "batch-size": 4, "optimizer": "sgd", "lr": 1e10,
            "momentum": 0.9, "weight-decay": 0.0, "seed": 0, "lr-step": 0, "lr-gamma": 0.1, "augment": "none",
        ], inputs: [("data", "scenes", "train")], outputs: ["metrics", "model"])
        var operators = OperatorCatalog.standard
        operators["fixture"] = ClosureOperator { _, _, context in
            try DatasetArtifact.write(scenes, to: context.output(named: "train"))
            return StageResult()
        }
        let engine = Engine(store: try Store(root: directory.appendingPathComponent("store")), operators: operators)
        let data = StageHarness.node("scenes", "fixture", [:], outputs: ["train"])
        let result = try engine.run(try Plan(nodes: [data, fit]), options: RunOptions(threadsPerStage: 2, recordHistory: false))
        let message = try XCTUnwrap(StageHarness.failure(result, "fit"), "\(String(describing: result.report(stage: "fit")?.status))")
        XCTAssertTrue(message.hasPrefix("stage `fit` (lr): training diverged at epoch 1, step 3: the loss is nan"), message)
        XCTAssertTrue(message.contains("lower `lr` (it is 1e+10)"), message)
    }
}
