import AssayLanguage
import AssayNN
@testable import AssayStages
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
}
