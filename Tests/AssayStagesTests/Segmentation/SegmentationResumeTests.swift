import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import XCTest

extension SegmentationStagesTests {
    /// `segmentation-train` interrupted after epoch k and run again resumes from its checkpoint and
    /// ends with the bytes of an uninterrupted run: weights, batch-norm statistics, the optimiser's
    /// moments, dropout's masks, the augmentation and the schedule all continue where they stopped.
    /// Adam, no augmentation, constant rate; and SGD with momentum, crop-flip, a step decay and validation.
    func testInterruptedSegmentationTrainingResumesToTheSameBytes() throws {
        let model = try squeezeSegNet()
        XCTAssertTrue(model.layers.contains { $0.kind == LayerKind.dropout }, "the test needs a model with dropout")
        let data = try scenes()
        let target: CanonicalValue = .map([
            "classes": .list(data.masks!.classNames.map { .string($0) }), "void": .null, "void-index": .null, "weights": .string("median-frequency"),
        ])
        let common: [String: CanonicalValue] = [
            "model": model.canonical, "target": target, "epochs": .int(3), "batch-size": .int(6), "lr": .double(0.003),
            "weight-decay": .double(1e-4), "seed": .int(4), "momentum": .double(0.9),
        ]
        let adam = common.merging(["optimizer": "adam", "lr-step": .int(0), "lr-gamma": .double(0.1), "augment": "none"]) { $1 }
        let sgd = common.merging(["optimizer": "sgd", "lr-step": .int(1), "lr-gamma": .double(0.5), "augment": "crop-flip"]) { $1 }
        let configurations: [(String, [String: CanonicalValue], Bool, Int)] = [("adam", adam, false, 1), ("sgd", sgd, true, 2)]
        for (name, parameters, validated, stopAfter) in configurations {
            let nodes = Self.nodes(parameters, validated: validated)
            let uninterrupted = try runFit(nodes, data: data, store: "\(name)-a")
            XCTAssertEqual(uninterrupted.report(stage: "fit")?.status, .executed, name)

            let messages = MessageLog()
            let first = try runFit(nodes, data: data, store: "\(name)-b", cancelOn: "epoch \(stopAfter)/3 done")
            XCTAssertNotEqual(first.report(stage: "fit")?.status, .executed, "\(name): the training should have been interrupted")
            let resumed = try runFit(nodes, data: data, store: "\(name)-b") { messages.append($0) }
            XCTAssertTrue(messages.all.contains("resumed after epoch \(stopAfter)"), "\(name): \(messages.all.prefix(3))")
            XCTAssertEqual(resumed.report(stage: "fit")?.outputs["model"], uninterrupted.report(stage: "fit")?.outputs["model"], name)
            XCTAssertEqual(resumed.report(stage: "fit")?.outputs["metrics"], uninterrupted.report(stage: "fit")?.outputs["metrics"], name)
            if validated {
                let metrics = try Data(contentsOf: engineStore("\(name)-b").objectURL(XCTUnwrap(resumed.report(stage: "fit")?.outputs["metrics"])))
                let epochs = try XCTUnwrap((JSONSerialization.jsonObject(with: metrics) as? [String: Any])?["epochs"] as? [[String: Any]])
                let rates = epochs.map { ($0["lr"] as? Double) ?? 0 }
                XCTAssertEqual(rates.count, 3)
                for (rate, expected) in zip(rates, [0.003, 0.0015, 0.00075]) { XCTAssertEqual(rate, expected, accuracy: 1e-9, "the rate halves every epoch") }
                XCTAssertTrue(epochs.allSatisfy { $0["val-mean-iou"] is Double && $0["val-accuracy"] is Double }, "\(epochs)")
            }
        }
    }

    static func nodes(_ parameters: [String: CanonicalValue], validated: Bool) -> [PlanNode] {
        var inputs = [PlanInput(slot: "data", node: "scenes", output: "train")]
        if validated { inputs.append(PlanInput(slot: "val", node: "scenes", output: "train")) }
        return [
            PlanNode(id: "scenes", operatorName: "fixture", parametersJSON: "{}", outputs: ["train"]),
            PlanNode(id: "fit", operatorName: "segmentation-train", operatorVersion: 1, parameters: CanonicalValue.map(parameters).canonicalJSON,
                     inputs: inputs, outputs: ["metrics", "model"]),
        ]
    }

    func engineStore(_ name: String) throws -> Store { try Store(root: directory.appendingPathComponent(name)) }

    func runFit(_ nodes: [PlanNode], data: ImageDataset, store: String, cancelOn: String? = nil, messages: @escaping @Sendable (String) -> Void = { _ in }) throws -> RunResult {
        var operators = OperatorCatalog.standard
        operators["fixture"] = ClosureOperator { _, _, context in
            try DatasetArtifact.write(data, to: context.output(named: "train"))
            return StageResult()
        }
        let engine = Engine(store: try engineStore(store), operators: operators)
        return try engine.run(try Plan(nodes: nodes), options: RunOptions(threadsPerStage: 2, recordHistory: false)) { event in
            guard case .stageProgress(_, "fit", let progress) = event else { return }
            messages(progress.message)
            if progress.message == cancelOn { engine.cancel() }
        }
    }
}
