import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
@testable import AssayStages
import AssayPlanner
import AssaySupport
import Foundation
import XCTest

/// Squeeze-SegNet's encoder takes torchvision SqueezeNet 1.0 weights: same tensors, same Fire computation.
final class SqueezeSegNetEncoderTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try PretrainedTestSupport.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testTorchvisionSqueezeNetWeightsInitialiseTheEncoder() throws {
        let fixture = try TorchvisionFixture.require("squeezenet1_0")
        let segSpec = try PretrainedTestSupport.spec("squeeze-segnet", "input: [3, 64, 64], classes: 5", in: directory)
        let seg = try SpecNetwork(spec: segSpec, seed: 1)
        let decoderBefore = seg.stateDict()["fire9_D.squeeze.weight"]?.data
        try PretrainedWeights.loadSqueezeNetEncoder(into: seg, from: fixture.weightsPath, stage: "s")
        let torchvision = try SafeTensors.read(path: fixture.weightsPath).tensors
        XCTAssertEqual(seg.stateDict()["conv1.weight"]?.data, torchvision["features.0.weight"]?.data)
        XCTAssertEqual(seg.stateDict()["fire9.expand3x3.bias"]?.data, torchvision["features.12.expand3x3.bias"]?.data)
        XCTAssertEqual(seg.stateDict()["fire9_D.squeeze.weight"]?.data, decoderBefore, "the decoder keeps its initialisation")

        // The same Fire computation: SqueezeNet's features.5 on features.4's output equals the encoder's fire4.
        let netSpec = try PretrainedTestSupport.spec("squeezenet1_0", "input: [3, 224, 224], classes: 1000, weights: \(fixture.weightsPath)", in: directory)
        let net = try PretrainedWeights.network(for: netSpec, baseDirectory: directory.path, seed: 0, stage: "s")
        seg.eval()
        let (_, acts) = try net.forward(PretrainedWeights.normalize(fixture.input, for: netSpec), recording: ["features.4", "features.5"])
        let fire4 = try XCTUnwrap(seg.module(at: "fire4"))
        XCTAssertEqual(fire4(try XCTUnwrap(acts["features.4"])).data, acts["features.5"]?.data)
    }

    func testMisShapedEncoderWeightsAreNamedByTheirTorchvisionNames() throws {
        let fixture = try TorchvisionFixture.require("squeezenet1_0")
        var tensors = try SafeTensors.read(path: fixture.weightsPath).tensors
        tensors["features.7.squeeze.weight"] = Tensor([Float](repeating: 0, count: 16 * 256), shape: [16, 256, 1, 1])
        tensors.removeValue(forKey: "features.0.bias")
        let path = directory.appendingPathComponent("bad.safetensors").path
        try SafeTensors.write(tensors, to: path)
        let seg = try SpecNetwork(spec: try PretrainedTestSupport.spec("squeeze-segnet", "input: [3, 64, 64], classes: 5", in: directory), seed: 1)
        XCTAssertThrowsError(try PretrainedWeights.loadSqueezeNetEncoder(into: seg, from: path, stage: "s")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("missing tensor `features.0.bias` (expected shape [96])"), message)
            XCTAssertTrue(message.contains("tensor `features.7.squeeze.weight` has shape [16, 256, 1, 1], expected [32, 256, 1, 1]"), message)
        }
    }

    /// `encoder-weights:` end to end: the file enters the plan key by content, `segmentation-train`
    /// starts its encoder from it, and both segmentation stages feed the model ImageNet-normalised images.
    func testEncoderWeightsFromTheLanguageTrainAndEvaluateWithImageNetInputs() throws {
        let fixture = try TorchvisionFixture.require("squeezenet1_0")
        let weights = directory.appendingPathComponent("squeezenet.safetensors")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: fixture.weightsPath), to: weights)
        let yaml = """
        assay: 1
        name: encoder
        datasets:
          blobs: { synthetic: { shape: [3, 16, 16], classes: 2, samples: { train: 40, test: 10 }, seed: 2 } }
          scenes: { compose: { items: blobs, canvas: [32, 32], samples: { train: 8, test: 4 }, seed: 1 } }
        segmentation:
          parts: { data: scenes }
        models:
          seg: { squeeze-segnet: { target: parts, encoder-weights: squeezenet.safetensors } }
        stages:
          fit: { segmentation-train: { model: seg, data: scenes.train, target: parts, epochs: 1, batch-size: 4, lr: 1e-12 } }
          scored: { segmentation-evaluate: { model: fit, data: scenes.test, target: parts, batch-size: 4 } }
        """
        let file = directory.appendingPathComponent("encoder.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let checked = Checker.check(path: file.path)
        XCTAssertFalse(checked.hasErrors, DiagnosticRenderer(sources: checked.sources).renderText(checked.diagnostics))
        let planner = Planner(sources: SourceDigests(cacheFile: directory.appendingPathComponent("sources.json")))
        let plan = try XCTUnwrap(try planner.lower(points: checked.experiments).first?.plan)
        let fit = try XCTUnwrap(plan["fit"])
        XCTAssertTrue(fit.parametersJSON.contains(try Digest.ofFile(at: weights).hex), "the weights file enters the key by content")
        XCTAssertTrue(fit.parametersJSON.contains("model.encoder-weights"), fit.parametersJSON)

        let store = try Store(root: directory.appendingPathComponent("store"))
        let result = try Engine(store: store, operators: OperatorCatalog.standard).run(plan, options: RunOptions(threadsPerStage: 2))
        XCTAssertEqual(result.status, .succeeded, "\(result.stages.map { "\($0.stage): \($0.status)" })")
        let trained = try ModelArtifact.read(from: store.objectURL(try XCTUnwrap(result.report(stage: "fit")?.outputs["model"])), stage: "t")
        XCTAssertEqual(trained.spec.normalizeMean, [0.485, 0.456, 0.406])
        let torchvision = try SafeTensors.read(path: weights.path).tensors
        let state = trained.stateDict()
        for (source, target) in [("features.0.weight", "conv1.weight"), ("features.12.expand3x3.bias", "fire9.expand3x3.bias")] {
            let a = try XCTUnwrap(state[target]?.data), b = try XCTUnwrap(torchvision[source]?.data)
            XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max()!, 1e-6, "\(target) starts from \(source) (lr 1e-12)")
        }

        // segmentation-evaluate's pixel accuracy is that of the model on normalised images.
        let input = try XCTUnwrap(plan["scored"]?.inputs.first { $0.slot == "data" })
        let test = try DatasetArtifact.readDataset(from: store.objectURL(try XCTUnwrap(result.report(stage: input.node)?.outputs[input.output])))
        let x = Tensor(test.floatPixels(PixelNormalization(expectedBy: trained.spec)), shape: [test.count, 3, 32, 32])
        let predicted = SegmentationEvaluateOperator.argmaxPerPixel(trained(x))
        let truth = try XCTUnwrap(test.masks).pixels
        let accuracy = Double(zip(predicted, truth).filter { $0 == Int32($1) }.count) / Double(truth.count)
        XCTAssertEqual(try XCTUnwrap(result.report(stage: "scored")?.metrics["global-accuracy"]), accuracy, accuracy: 1e-9)
    }
}
