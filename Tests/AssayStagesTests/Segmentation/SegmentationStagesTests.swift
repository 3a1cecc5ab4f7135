import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import XCTest

/// A tiny Squeeze-SegNet trained through the engine on a handful of Fashion-MNIST scenes:
/// the operators wire data, targets, class weights and metrics correctly if it overfits.
final class SegmentationStagesTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("seg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// The checked Squeeze-SegNet for 32×32 scenes with 11 classes, from the language itself.
    func squeezeSegNet() throws -> ModelSpec {
        let yaml = """
        assay: 1
        name: tiny-seg
        datasets:
          fmnist: { fashion-mnist: {} }
          scenes: { compose: { items: fmnist, per-canvas: [1, 2], canvas: [32, 32], samples: { train: 24, test: 24 } } }
        segmentation:
          parts: { data: scenes, weights: median-frequency }
        models:
          squeeze: { squeeze-segnet: { width: 0.25, target: parts } }
          plain:
            - { conv: { out: 16, kernel: 3, pad: 1 } }
            - relu
            - p1: { maxpool: 2 }
            - { conv: { out: 16, kernel: 3, pad: 1 } }
            - relu
            - { unpool: p1 }
            - { conv: { out: 11, kernel: 3, pad: 1 } }
        stages:
          fit: { segmentation-train: { model: squeeze, data: scenes.train, target: parts, epochs: 1 } }
          fit2: { segmentation-train: { model: plain, data: scenes.train, target: parts, epochs: 1 } }
        """
        let result = Checker.check(source: SourceFile(path: directory.appendingPathComponent("tiny.yaml").path, text: yaml))
        XCTAssertFalse(result.hasErrors, DiagnosticRenderer(sources: result.sources).renderText(result.diagnostics))
        return try XCTUnwrap(result.experiments.first?.models[ProcessInfo.processInfo.environment["SEGMODEL"] ?? "squeeze"])
    }

    func scenes() throws -> ImageDataset {
        let items = try FashionMNIST.load(.test).subset(Array(0..<200))
        let spec = SceneSpec(canvas: ImageSize(height: 32, width: 32), itemsPerScene: 1...2, overlap: .avoid, background: .plain(0), threshold: 64)
        return try SceneComposer.compose(items: items, count: 16, spec: spec, seed: 3)
    }

    func testTinySqueezeSegNetOverfitsAFewScenesWellAboveChance() throws {
        let model = try squeezeSegNet()
        let data = try scenes()
        let classes = data.masks!.classNames
        XCTAssertEqual(classes.count, model.classes)
        let target: CanonicalValue = .map([
            "classes": .list(classes.map { .string($0) }), "void": .null, "void-index": .null, "weights": .string("none"),
        ])
        let dataNode = PlanNode(id: "scenes", operatorName: "fixture", parametersJSON: "{}", outputs: ["train"])
        let train = PlanNode(
            id: "fit", operatorName: "segmentation-train", operatorVersion: 1,
            parameters: CanonicalValue.map([
                "model": model.canonical, "target": target, "epochs": .int(400), "batch-size": .int(8), "optimizer": .string("adam"),
                "lr": .double(0.003), "momentum": .double(0.9), "weight-decay": .double(0), "seed": .int(0), "lr-step": .int(300), "lr-gamma": .double(0.2), "augment": .string("none"),
            ]).canonicalJSON,
            inputs: [PlanInput(slot: "data", node: "scenes", output: "train")], outputs: ["metrics", "model"])
        let evaluate = PlanNode(
            id: "score", operatorName: "segmentation-evaluate", operatorVersion: 1,
            parameters: CanonicalValue.map(["target": target, "batch-size": .int(8)]).canonicalJSON,
            inputs: [PlanInput(slot: "data", node: "scenes", output: "train"), PlanInput(slot: "model", node: "fit", output: "model")],
            outputs: ["metrics", "overlays.png"])
        var operators = OperatorCatalog.standard
        operators["fixture"] = ClosureOperator { _, _, context in
            try DatasetArtifact.write(data, to: context.output(named: "train"))
            return StageResult()
        }
        let engine = Engine(store: try Store(root: directory.appendingPathComponent("store")), operators: operators)
        let result = try engine.run(try Plan(nodes: [dataNode, train, evaluate]), options: RunOptions(threadsPerStage: 2))
        XCTAssertEqual(result.status, .succeeded, "\(result.stages.map { "\($0.stage): \($0.status)" })")
        let scores = try XCTUnwrap(result.report(stage: "score")?.metrics)
        let fit = try XCTUnwrap(result.report(stage: "fit")?.metrics)
        // Chance: the majority class (background) everywhere has IoU = its pixel share for that
        // class and 0 for the others, so mean IoU = share / classes present.
        let pixels = data.masks!.pixels
        let present = Set(pixels).count
        let backgroundIndex = classes.firstIndex(of: "background") ?? 0
        let background = Double(pixels.filter { Int($0) == backgroundIndex }.count) / Double(pixels.count)
        let chance = background / Double(present)
        XCTAssertGreaterThan(scores["mean-iou"] ?? 0, max(0.25, 3 * chance), "chance \(chance); \(scores); training \(fit)")
        XCTAssertGreaterThan(scores["global-accuracy"] ?? 0, max(0.75, background + 0.05), "background share \(background); \(scores)")
        XCTAssertLessThan(fit["loss"] ?? .infinity, 1.0, "\(fit)")
        let overlay = try XCTUnwrap(result.report(stage: "score")?.outputs["overlays.png"])
        XCTAssertGreaterThan(try Data(contentsOf: engine.store.objectURL(overlay)).count, 100)
    }

    func testStepDecayMultipliesTheRateEveryKEpochs() throws {
        func decay(every: Int, gamma: Double = 0.1) throws -> StepSchedule? { try stepDecay(every: every, gamma: gamma, base: 0.01, stage: "fit") }
        XCTAssertNil(try decay(every: 0))
        let schedule = try XCTUnwrap(decay(every: 3, gamma: 0.5))
        XCTAssertEqual((0..<7).map { schedule.learningRate(at: $0) }, [0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025])
        XCTAssertEqual(try XCTUnwrap(decay(every: 2)).learningRate(at: 2), 0.001, accuracy: 1e-9)
        XCTAssertThrowsError(try decay(every: -1))
        XCTAssertThrowsError(try decay(every: 2, gamma: 1.5))
    }

    /// The per-class table once printed empty cells: `String(format: "%6s")` with a Swift string.
    func testPerClassTableCellsShowValuesAndDashes() {
        XCTAssertEqual(SegmentationEvaluateOperator.cell(0.51234), " 0.512")
        XCTAssertEqual(SegmentationEvaluateOperator.cell(nil), "     -")
        XCTAssertEqual(SegmentationEvaluateOperator.cell(1), " 1.000")
    }
}
