import AssayEngine
import AssayLanguage
import AssayStages
import AssaySupport
import Foundation
import XCTest

@testable import AssayStages

final class TrainingOperatorTests: XCTestCase {
    /// A small CNN for 1×12×12 inputs and two classes, in the canonical form the checker inlines.
    static func smallCNN(dropout: Bool = false) -> CanonicalValue {
        var layers = [
            LayerSpec(kind: .conv, name: "conv1", path: "conv1", attributes: ["in": 1, "out": 4, "kernel": [3, 3], "stride": [1, 1], "padding": [1, 1]],
                      inputShape: [1, 12, 12], outputShape: [4, 12, 12], tensors: [TensorSpec(name: "conv1.weight", shape: [4, 1, 3, 3]), TensorSpec(name: "conv1.bias", shape: [4])]),
            LayerSpec(kind: .relu, name: "1", path: "1", attributes: [:], inputShape: [4, 12, 12], outputShape: [4, 12, 12]),
            LayerSpec(kind: .maxpool, name: "pool1", path: "pool1", attributes: ["kernel": [2, 2], "stride": [2, 2]], inputShape: [4, 12, 12], outputShape: [4, 6, 6]),
            LayerSpec(kind: .flatten, name: "3", path: "3", attributes: [:], inputShape: [4, 6, 6], outputShape: [144]),
            LayerSpec(kind: .linear, name: "fc1", path: "fc1", attributes: ["in": 144, "out": 16], inputShape: [144], outputShape: [16],
                      tensors: [TensorSpec(name: "fc1.weight", shape: [16, 144]), TensorSpec(name: "fc1.bias", shape: [16])]),
            LayerSpec(kind: .relu, name: "5", path: "5", attributes: [:], inputShape: [16], outputShape: [16]),
            LayerSpec(kind: .linear, name: "fc2", path: "fc2", attributes: ["in": 16, "out": 2], inputShape: [16], outputShape: [2],
                      tensors: [TensorSpec(name: "fc2.weight", shape: [2, 16]), TensorSpec(name: "fc2.bias", shape: [2])]),
        ]
        if dropout {
            layers.insert(LayerSpec(kind: .dropout, name: "drop", path: "drop", attributes: ["p": 0.5], inputShape: [16], outputShape: [16]), at: 6)
        }
        return ModelSpec(name: "cnn", architecture: "custom", task: .classification, inputShape: [1, 12, 12], outputShape: [2], classes: 2, layers: layers).canonical
    }

    /// `varied`: a dropout layer, crop-flip augmentation and a step decay every epoch.
    static func trainNode(epochs: Int = 2, seed: Int = 0, optimizer: String = "adam", varied: Bool = false) -> PlanNode {
        StageHarness.node("erm", "train", [
            "model": smallCNN(dropout: varied), "data": .null, "val": .null, "epochs": .int(epochs), "batch-size": 32, "optimizer": .string(optimizer), "lr": 0.01,
            "momentum": 0.9, "weight-decay": 0.0, "augment": .string(varied ? "crop-flip" : "none"), "seed": .int(seed),
            "lr-step": .int(varied ? 1 : 0), "lr-gamma": 0.5,
        ], inputs: [("data", "bordered", "train"), ("val", "bordered", "test")], outputs: ["metrics", "model"])
    }

    static func evaluateNode() -> PlanNode {
        StageHarness.node("erm-eval", "evaluate", ["model": .null, "data": .null, "groups": .null, "batch-size": 64],
                          inputs: [("model", "erm", "model"), ("data", "bordered", "test"), ("groups", "groups", "groups")], outputs: ["metrics"])
    }

    func testTrainingLearnsAndEvaluationReportsGroupsAndConfusion() throws {
        let harness = try StageHarness()
        let result = try harness.runSucceeding(StageHarness.borderedSynthetic() + [Self.trainNode(), Self.evaluateNode()])
        let history = try JSONDecoder().decode([EpochRecord].self, from: Data(contentsOf: harness.url(result, "erm", "metrics")))
        XCTAssertEqual(history.map(\.epoch), [1, 2])
        XCTAssertLessThan(history[1].loss, history[0].loss * 1.05)
        let metrics = try JSONDecoder().decode(ClassificationMetrics.self, from: Data(contentsOf: harness.url(result, "erm-eval", "metrics")))
        XCTAssertGreaterThan(metrics.accuracy, 0.8)
        XCTAssertEqual(metrics.groups.count, 4)
        XCTAssertEqual(metrics.confusion.flatMap { $0 }.reduce(0, +), 200)
        XCTAssertEqual(metrics.worstGroupAccuracy, metrics.groups.map(\.accuracy).min())
        XCTAssertEqual(result.report(stage: "erm-eval")?.metrics["worst-group-accuracy"], metrics.worstGroupAccuracy)
    }

    /// SGD with momentum; and Adam with dropout, crop-flip and a step decay (the dropout masks,
    /// the augmentation and the rate continue where they stopped).
    func testInterruptedTrainingResumesFromItsCheckpointToTheSameWeights() throws {
        for (optimizer, varied) in [("sgd", false), ("adam", true)] {
            let node = Self.trainNode(epochs: 3, optimizer: optimizer, varied: varied)
            let reference = try StageHarness()
            let uninterrupted = try reference.runSucceeding(StageHarness.borderedSynthetic() + [node])

            let harness = try StageHarness()
            let engine = harness.engine
            let first = try harness.run(StageHarness.borderedSynthetic() + [node]) { event in
                if case .stageProgress(_, "erm", let progress) = event, progress.message == "epoch 1/3 done" { engine.cancel() }
            }
            XCTAssertNotEqual(first.report(stage: "erm")?.status, .executed, "the training should have been interrupted")
            let messages = MessageLog()
            let resumed = try Engine(store: harness.store, operators: OperatorCatalog.standard).run(Plan(nodes: StageHarness.borderedSynthetic() + [node]),
                                                 options: RunOptions(threadsPerStage: 2, recordHistory: false)) { event in
                if case .stageProgress(_, "erm", let progress) = event { messages.append(progress.message) }
            }
            XCTAssertTrue(messages.all.contains("resumed after epoch 1"), "\(optimizer): \(messages.all.prefix(3))")
            XCTAssertEqual(resumed.report(stage: "erm")?.outputs["model"], uninterrupted.report(stage: "erm")?.outputs["model"], optimizer)
            XCTAssertEqual(resumed.report(stage: "erm")?.outputs["metrics"], uninterrupted.report(stage: "erm")?.outputs["metrics"], optimizer)
            if varied {
                let history = try JSONDecoder().decode([EpochRecord].self, from: Data(contentsOf: harness.url(resumed, "erm", "metrics")))
                XCTAssertEqual(history.compactMap(\.learningRate), [0.01, 0.005, 0.0025].map { Double(Float($0)) }, "the rate is in the metrics when it is scheduled")
                XCTAssertEqual(history.compactMap(\.valAccuracy).count, 3)
            }
        }
    }
}

final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }
}
