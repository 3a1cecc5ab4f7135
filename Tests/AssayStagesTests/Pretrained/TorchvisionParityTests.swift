import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import Foundation
import XCTest

/// Each built-in, checked from YAML with `weights:` naming a torchvision fixture, loads the
/// weights and reproduces torchvision's logits (eval mode, ImageNet-normalised 224×224 input)
/// within 1e-4 of the logits' range. SqueezeNet's fixture is committed; the others run when
/// `ASSAY_TORCHVISION_FIXTURES` names a directory written by `scripts/torchvision_fixtures.py`.
final class TorchvisionParityTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try PretrainedTestSupport.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Largest logit difference relative to the range, recorded per architecture for the report.
    func assertMatchesTorchvision(_ arch: String) throws {
        let fixture = try TorchvisionFixture.require(arch)
        let spec = try PretrainedTestSupport.spec(arch, "input: [3, 224, 224], classes: 1000, weights: \(fixture.weightsPath)", in: directory)
        XCTAssertEqual(spec.parameterCount, TorchvisionFixture.parameterCounts[arch], "\(arch): spec parameter count")
        XCTAssertEqual(spec.normalizeMean, [0.485, 0.456, 0.406])
        XCTAssertEqual(spec.normalizeStd, [0.229, 0.224, 0.225])
        let network = try PretrainedWeights.network(for: spec, baseDirectory: directory.path, seed: 7, stage: "parity")
        XCTAssertEqual(network.trainableParameters.reduce(0) { $0 + $1.count }, TorchvisionFixture.parameterCounts[arch], "\(arch): network parameter count")
        XCTAssertFalse(network.isTraining, "weights loaded for inference put the network in evaluation mode")
        let logits = network(PretrainedWeights.normalize(fixture.input, for: spec))
        XCTAssertEqual(logits.shape, fixture.logits.shape)
        let difference = PretrainedTestSupport.relativeDifference(logits, fixture.logits)
        XCTAssertLessThanOrEqual(difference, 1e-4, "\(arch): logits differ from torchvision's")
        let record = "\(arch)\tparameters \(spec.parameterCount)\tmax |Δlogit| / range \(String(format: "%.3g", difference))\n"
        try PretrainedTestSupport.report(record)
    }

    func testSqueezeNet1_0MatchesTorchvisionLogits() throws { try assertMatchesTorchvision("squeezenet1_0") }
    func testAlexNetMatchesTorchvisionLogits() throws { try assertMatchesTorchvision("alexnet") }
    func testResNet18MatchesTorchvisionLogits() throws { try assertMatchesTorchvision("resnet18") }
    func testResNet50MatchesTorchvisionLogits() throws { try assertMatchesTorchvision("resnet50") }

    /// The committed fixture must be present: CI tests SqueezeNet unconditionally.
    func testSqueezeNetFixtureIsCommitted() throws {
        XCTAssertNotNil(Bundle.module.url(forResource: "Fixtures", withExtension: nil).flatMap {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("squeezenet1_0.weights.safetensors").path) ? $0 : nil
        })
    }

    /// Parameter counts equal torchvision's for every classification built-in, fixture or not.
    func testBuiltinParameterCountsEqualTorchvision() throws {
        for (arch, count) in TorchvisionFixture.parameterCounts.sorted(by: { $0.key < $1.key }) {
            let spec = try PretrainedTestSupport.spec(arch, "input: [3, 224, 224], classes: 1000", in: directory)
            XCTAssertEqual(spec.parameterCount, count, arch)
        }
    }
}

/// The fixture discriminates: the conventions it checks change the logits well beyond the tolerance.
final class TorchvisionFixtureSensitivityTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try PretrainedTestSupport.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func difference(_ arch: String, normalise: Bool = true, _ edit: (inout ModelSpec) -> Void) throws -> Double {
        let fixture = try TorchvisionFixture.require(arch)
        var spec = try PretrainedTestSupport.spec(arch, "input: [3, 224, 224], classes: 1000, weights: \(fixture.weightsPath)", in: directory)
        edit(&spec)
        let network = try PretrainedWeights.network(for: spec, baseDirectory: directory.path, seed: 0, stage: "s")
        let input = normalise ? PretrainedWeights.normalize(fixture.input, for: spec) : fixture.input
        return PretrainedTestSupport.relativeDifference(network(input), fixture.logits)
    }

    func testFloorModePoolingInSqueezeNetIsDetected() throws {
        let d = try difference("squeezenet1_0") { spec in
            for i in spec.layers.indices where spec.layers[i].kind == .maxpool { spec.layers[i].attributes["ceil"] = .bool(false) }
        }
        XCTAssertGreaterThan(d, 1e-3)
    }

    func testMissingInputNormalisationIsDetected() throws {
        XCTAssertGreaterThan(try difference("squeezenet1_0", normalise: false) { _ in }, 1e-3)
    }

    func testBatchNormEpsilonIsDetected() throws {
        let d = try difference("resnet18") { spec in
            for i in spec.layers.indices where spec.layers[i].kind == .batchnorm { spec.layers[i].attributes["eps"] = .double(1e-3) }
        }
        XCTAssertGreaterThan(d, 1e-4)
    }
}
