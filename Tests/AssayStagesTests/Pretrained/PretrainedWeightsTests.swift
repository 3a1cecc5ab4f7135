import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import Foundation
import XCTest

/// `weights:` files that do not fit: `assay check` names each tensor from the header alone, and
/// loading names each tensor with the expected shape.
final class PretrainedWeightsTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try PretrainedTestSupport.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A small ResNet-18's torchvision-named state dict (with `num_batches_tracked`, as PyTorch saves it).
    func smallResNet() throws -> (spec: ModelSpec, tensors: [String: Tensor]) {
        let spec = try PretrainedTestSupport.spec("resnet18", "width: 0.125, input: [3, 32, 32], classes: 5", in: directory)
        var tensors = try SpecNetwork(spec: spec, seed: 3).stateDict()
        for t in spec.allTensors where t.name.hasSuffix("num_batches_tracked") { tensors[t.name] = Tensor([12], shape: []) }
        return (spec, tensors)
    }

    func write(_ tensors: [String: Tensor], _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try SafeTensors.write(tensors, to: path)
        return path
    }

    func checkMessages(_ weights: String) -> (errors: Int, text: String) {
        let result = PretrainedTestSupport.experiment("resnet18", "width: 0.125, input: [3, 32, 32], classes: 5, weights: \(weights)", in: directory)
        let errors = result.diagnostics.filter { $0.severity == .error }
        return (errors.count, DiagnosticRenderer(sources: result.sources).renderText(result.diagnostics))
    }

    func testFittingWeightsPassTheCheckAndLoad() throws {
        let (spec, tensors) = try smallResNet()
        let path = try write(tensors, "fit.safetensors")
        XCTAssertEqual(checkMessages(path).errors, 0, checkMessages(path).text)
        let network = try SpecNetwork(spec: spec, seed: 99)
        try PretrainedWeights.load(into: network, from: path, stage: "s")
        XCTAssertEqual(network.stateDict()["layer2.0.downsample.0.weight"]?.data, tensors["layer2.0.downsample.0.weight"]?.data)
    }

    func testRenamedTensorIsNamedByTheCheckerAndByLoading() throws {
        let (spec, original) = try smallResNet()
        var tensors = original
        tensors["layer3.1.conv2.weights"] = tensors.removeValue(forKey: "layer3.1.conv2.weight")
        let path = try write(tensors, "renamed.safetensors")

        let (errors, text) = checkMessages(path)
        XCTAssertEqual(errors, 1, text)
        XCTAssertTrue(text.contains("weights-mismatch"), text)
        XCTAssertTrue(text.contains("missing tensor `layer3.1.conv2.weight` (expected shape [32, 32, 3, 3])"), text)
        XCTAssertTrue(text.contains("unexpected tensor `layer3.1.conv2.weights`"), text)

        let network = try SpecNetwork(spec: spec, seed: 99)
        let before = network.stateDict()["conv1.weight"]!.data
        XCTAssertThrowsError(try PretrainedWeights.load(into: network, from: path, stage: "attack")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("stage `attack`"), message)
            XCTAssertTrue(message.contains("missing tensor `layer3.1.conv2.weight` (expected shape [32, 32, 3, 3])"), message)
            XCTAssertTrue(message.contains("unexpected tensor `layer3.1.conv2.weights`"), message)
            XCTAssertTrue(message.contains("2 tensors differ"), message)
        }
        XCTAssertEqual(network.stateDict()["conv1.weight"]!.data, before, "a failed load changes nothing")
    }

    func testReshapedTensorIsNamedWithBothShapes() throws {
        let (spec, original) = try smallResNet()
        var tensors = original
        tensors["fc.weight"] = Tensor([Float](repeating: 0.5, count: 6 * 64), shape: [6, 64])
        let path = try write(tensors, "reshaped.safetensors")

        let (errors, text) = checkMessages(path)
        XCTAssertEqual(errors, 1, text)
        XCTAssertTrue(text.contains("tensor `fc.weight` has shape [6, 64], expected [5, 64]"), text)

        XCTAssertThrowsError(try PretrainedWeights.load(into: try SpecNetwork(spec: spec, seed: 1), from: path, stage: "train")) { error in
            XCTAssertTrue("\(error)".contains("tensor `fc.weight` has shape [6, 64], expected [5, 64]"), "\(error)")
        }
    }

    func testUnreadableWeightsAreReportedByTheChecker() throws {
        let path = directory.appendingPathComponent("junk.safetensors").path
        try Data("not safetensors at all".utf8).write(to: URL(fileURLWithPath: path))
        let (errors, text) = checkMessages(path)
        XCTAssertEqual(errors, 1, text)
        XCTAssertTrue(text.contains("weights-unreadable"), text)
    }

    func testNetworkForSpecWithoutWeightsStaysInitialisedAndTraining() throws {
        let (spec, _) = try smallResNet()
        let a = try PretrainedWeights.network(for: spec, baseDirectory: directory.path, seed: 4, stage: "s")
        let b = try SpecNetwork(spec: spec, seed: 4)
        XCTAssertTrue(a.isTraining)
        XCTAssertEqual(a.stateDict()["fc.weight"]?.data, b.stateDict()["fc.weight"]?.data)
    }

    func testRelativeWeightsResolveAgainstTheExperimentDirectory() throws {
        let (_, tensors) = try smallResNet()
        _ = try write(tensors, "rel.safetensors")
        let spec = try PretrainedTestSupport.spec("resnet18", "width: 0.125, input: [3, 32, 32], classes: 5, weights: rel.safetensors", in: directory)
        XCTAssertEqual(spec.weights, "rel.safetensors")
        let network = try PretrainedWeights.network(for: spec, baseDirectory: directory.path, seed: 0, stage: "s")
        XCTAssertEqual(network.stateDict()["fc.bias"]?.data, tensors["fc.bias"]?.data)
        XCTAssertFalse(network.isTraining)
    }

    func testNormalisationUsesPerChannelStatistics() throws {
        let (spec, _) = try smallResNet()
        var withStats = spec
        withStats.normalizeMean = [0.5, 0.25, 0]
        withStats.normalizeStd = [0.5, 0.25, 2]
        let x = Tensor([Float](repeating: 1, count: 2 * 3 * 2 * 2), shape: [2, 3, 2, 2])
        let y = PretrainedWeights.normalize(x, for: withStats)
        XCTAssertEqual(Array(y.data[0..<12]), [1, 1, 1, 1, 3, 3, 3, 3, 0.5, 0.5, 0.5, 0.5])
        XCTAssertEqual(Array(y.data[12..<24]), Array(y.data[0..<12]))
        XCTAssertEqual(PretrainedWeights.normalize(x, for: spec).data, x.data, "no statistics: unchanged")
    }
}
