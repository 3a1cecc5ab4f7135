import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import Foundation
import XCTest

/// Units named by torchvision module paths resolve in the spec and in activation recording.
final class TorchvisionUnitPathTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try PretrainedTestSupport.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testResNetBlockChildPathsAreRecorded() throws {
        let spec = try PretrainedTestSupport.spec("resnet18", "width: 0.125, input: [3, 32, 32], classes: 5", in: directory)
        let paths = ["layer4.1.conv2", "layer4.1", "layer1.0.bn1", "layer2.0.downsample.0", "conv1", "fc"]
        for p in paths { XCTAssertNotNil(spec.layer(named: p), "spec resolves \(p)") }
        let network = try SpecNetwork(spec: spec, seed: 1)
        network.eval()
        let x = Tensor((0..<(3 * 32 * 32)).map { Float($0 % 13) / 13 }, shape: [1, 3, 32, 32])
        let (output, acts) = try network.forward(x, recording: paths)
        XCTAssertEqual(acts.paths.sorted(), paths.sorted())
        // At width 0.125 layer2 has 16 planes on 4×4 maps and layer4 64 planes on 1×1 maps (32×32 input).
        XCTAssertEqual(acts["layer4.1.conv2"]?.shape, [1, 64, 1, 1])
        XCTAssertEqual(acts["layer2.0.downsample.0"]?.shape, [1, 16, 4, 4])
        XCTAssertEqual(acts["fc"]?.data, output.data)
        XCTAssertThrowsError(try network.forward(x, recording: ["layer4.2.conv2"]))
    }

    func testSqueezeNetAndAlexNetFeaturePathsAreRecorded() throws {
        for (arch, paths, shapes) in [
            ("squeezenet1_0", ["features.10", "features.12.expand3x3", "classifier.1"], [[1, 512, 27, 27], [1, 256, 13, 13], [1, 7, 13, 13]]),
            ("alexnet", ["features.10", "classifier.4"], [[1, 256, 13, 13], [1, 4096]]),
        ] {
            let spec = try PretrainedTestSupport.spec(arch, "input: [3, 224, 224], classes: 7", in: directory)
            let network = try SpecNetwork(spec: spec, seed: 2)
            network.eval()
            let x = Tensor((0..<(3 * 224 * 224)).map { Float($0 % 17) / 17 }, shape: [1, 3, 224, 224])
            let (_, acts) = try network.forward(x, recording: paths)
            for (p, shape) in zip(paths, shapes) {
                XCTAssertNotNil(spec.layer(named: p), "\(arch): spec resolves \(p)")
                XCTAssertEqual(acts[p]?.shape, shape, "\(arch) \(p)")
            }
        }
    }
}
