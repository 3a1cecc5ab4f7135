import AssayLanguage
import AssaySupport
import AssayTestSupport
import Foundation
import XCTest

/// `encoder-weights:` on `squeeze-segnet`: torchvision SqueezeNet 1.0 names map onto the encoder,
/// `assay check` verifies the file from its header, and the model then expects ImageNet inputs.
final class SqueezeNetEncoderTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("encoder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func experiment(_ arguments: String, arch: String = "squeeze-segnet") -> CheckResult {
        let yaml = """
        assay: 1
        datasets:
          blobs: { synthetic: { shape: [3, 16, 16], classes: 2 } }
          scenes:
            compose: { items: blobs, canvas: [32, 32] }
        segmentation:
          parts: { data: scenes }
        models:
          seg: { \(arch): { target: parts\(arguments.isEmpty ? "" : ", " + arguments) } }
        stages:
          fit: { segmentation-train: { model: seg, data: scenes.train, target: parts } }
        """
        return Checker.check(source: SourceFile(path: directory.appendingPathComponent("seg.yaml").path, text: yaml))
    }

    /// A safetensors file holding `tensors` (zeros, F32).
    func write(_ tensors: [TensorSpec], to name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try zeroSafetensors(tensors.map { ($0.name, $0.shape) }).write(to: url)
        return url.lastPathComponent
    }

    func testTorchvisionNamesMapOntoTheEncoderAndBack() {
        XCTAssertEqual(SqueezeNetEncoder.encoderName(of: "features.0.weight"), "conv1.weight")
        XCTAssertEqual(SqueezeNetEncoder.encoderName(of: "features.5.squeeze.weight"), "fire4.squeeze.weight")
        XCTAssertEqual(SqueezeNetEncoder.encoderName(of: "features.12.expand3x3.bias"), "fire9.expand3x3.bias")
        XCTAssertNil(SqueezeNetEncoder.encoderName(of: "features.2.weight"), "a pool holds no tensors")
        XCTAssertNil(SqueezeNetEncoder.encoderName(of: "classifier.1.weight"))
        XCTAssertEqual(SqueezeNetEncoder.torchvisionName(of: "fire8.expand1x1.weight"), "features.10.expand1x1.weight")
        XCTAssertNil(SqueezeNetEncoder.torchvisionName(of: "fire9_D.squeeze.weight"), "decoder tensors have no torchvision source")
        for (source, target) in SqueezeNetEncoder.modules {
            XCTAssertEqual(SqueezeNetEncoder.torchvisionName(of: "\(target).squeeze.bias").flatMap(SqueezeNetEncoder.encoderName(of:)), "\(target).squeeze.bias", source)
        }
    }

    func testAFittingSqueezeNetFileChecksCleanAndTheModelExpectsImageNetInputs() throws {
        let plain = experiment("width: 0.25")
        XCTAssertFalse(plain.hasErrors, DiagnosticRenderer(sources: plain.sources).renderText(plain.diagnostics))
        let spec = try XCTUnwrap(plain.experiments.first?.models["seg"])
        XCTAssertEqual(spec.normalizeMean, [], "no weights: pixels in [0, 1]")
        XCTAssertNil(spec.canonical["encoder-weights"], "keys of models without encoder weights are unchanged")
        let expected = SqueezeNetEncoder.expectedTensors(of: spec)
        XCTAssertEqual(expected.count, 2 + 8 * 6, "conv1 and eight Fire modules, weight and bias each")
        XCTAssertTrue(expected.allSatisfy { $0.name.hasPrefix("features.") })

        // torchvision's file also has the classifier, which the encoder does not use.
        let file = try write(expected + [TensorSpec(name: "classifier.1.weight", shape: [1000, 128, 1, 1]), TensorSpec(name: "classifier.1.bias", shape: [1000])],
                             to: "squeezenet.safetensors")
        let result = experiment("width: 0.25, encoder-weights: \(file)")
        XCTAssertFalse(result.hasErrors, DiagnosticRenderer(sources: result.sources).renderText(result.diagnostics))
        let loaded = try XCTUnwrap(result.experiments.first?.models["seg"])
        XCTAssertEqual(loaded.encoderWeights, file)
        XCTAssertEqual(loaded.normalizeMean, [0.485, 0.456, 0.406])
        XCTAssertEqual(loaded.normalizeStd, [0.229, 0.224, 0.225])
        XCTAssertEqual(loaded.canonical["encoder-weights"], .string(file))
        let stage = try XCTUnwrap(result.experiments.first?.stages.first { $0.id == "fit" })
        XCTAssertEqual(stage.files["model.encoder-weights"], directory.appendingPathComponent(file).standardizedFileURL.path)
        XCTAssertEqual(try ModelSpec(canonical: loaded.canonical, name: "seg").encoderWeights, file)
    }

    func testARenamedOrReshapedEncoderTensorIsNamedWithItsExpectedShape() throws {
        let spec = try XCTUnwrap(experiment("width: 0.25").experiments.first?.models["seg"])
        var tensors = SqueezeNetEncoder.expectedTensors(of: spec)
        let renamed = try XCTUnwrap(tensors.firstIndex { $0.name == "features.7.squeeze.weight" })
        tensors[renamed].name = "features.7.squeeze.kernel"
        let reshaped = try XCTUnwrap(tensors.firstIndex { $0.name == "features.0.bias" })
        tensors[reshaped].shape = [96]
        let file = try write(tensors, to: "bad.safetensors")
        let result = experiment("width: 0.25, encoder-weights: \(file)")
        let diagnostic = try XCTUnwrap(result.diagnostics.first { $0.id == "weights-mismatch" })
        XCTAssertEqual(diagnostic.path, "models.seg.encoder-weights")
        let notes = diagnostic.notes.map(\.message)
        XCTAssertEqual(Set(notes), [
            "missing tensor `features.7.squeeze.weight` (expected shape [8, 64, 1, 1])",
            "tensor `features.0.bias` has shape [96], expected [24]",
            "unexpected tensor `features.7.squeeze.kernel` (shape [8, 64, 1, 1])",
        ])
    }

    func testEncoderWeightsBelongToSqueezeSegNetOnly() throws {
        let file = try write([], to: "empty.safetensors")
        let onSegNet = experiment("encoder-weights: \(file)", arch: "segnet")
        XCTAssertEqual(onSegNet.diagnostics.first?.id, "unknown-field", DiagnosticRenderer(sources: onSegNet.sources).renderText(onSegNet.diagnostics))
        let both = experiment("weights: \(file), encoder-weights: \(file)")
        XCTAssertEqual(both.diagnostics.map(\.id), ["conflicting-weights"])
    }
}
