import AssayNN
import AssaySupport
import XCTest

final class ModuleTests: XCTestCase {
    func testFireAndResidualBlocksUseTorchvisionNames() {
        var rng = SeededRandom(seed: 1)
        let fire = Fire(96, squeeze: 16, expand1x1: 64, expand3x3: 64, rng: &rng)
        XCTAssertEqual(fire.namedParameters().map(\.name),
                       ["squeeze.weight", "squeeze.bias", "expand1x1.weight", "expand1x1.bias", "expand3x3.weight", "expand3x3.bias"])
        let block = BasicBlock(64, 128, stride: 2, rng: &rng)
        let names = Set(block.stateDict().keys)
        for expected in ["conv1.weight", "bn1.weight", "bn1.running_mean", "bn2.running_var", "downsample.0.weight", "downsample.1.bias"] {
            XCTAssertTrue(names.contains(expected), expected)
        }
        XCTAssertFalse(names.contains("conv1.bias"))
        let bottleneck = Bottleneck(256, 64, rng: &rng)
        XCTAssertNil(bottleneck.downsample)
        XCTAssertEqual(bottleneck.conv3.outChannels, 256)
    }

    func testParameterCountsMatchTorchvisionShapes() {
        var rng = SeededRandom(seed: 2)
        // torchvision Fire(96, 16, 64, 64): 96·16+16 + 16·64+64 + 16·64·9+64 = 11920
        XCTAssertEqual(Fire(96, squeeze: 16, expand1x1: 64, expand3x3: 64, rng: &rng).parameterCount, 11920)
        // resnet18's layer1.0: two 3x3 64→64 convs without bias + two batch norms = 73984
        XCTAssertEqual(BasicBlock(64, 64, rng: &rng).parameterCount, 73984)
    }

    func testModuleOutputShapes() {
        var rng = SeededRandom(seed: 3)
        let x = Tensor.normal([2, 8, 8, 8], rng: &rng)
        XCTAssertEqual(Fire(8, squeeze: 4, expand1x1: 6, expand3x3: 10, rng: &rng)(x).shape, [2, 16, 8, 8])
        XCTAssertEqual(SqueezeDecoder(8, expand1x1: 6, expand3x3: 6, squeeze: 5, rng: &rng)(x).shape, [2, 5, 8, 8])
        XCTAssertEqual(Bottleneck(8, 4, stride: 2, rng: &rng)(x).shape, [2, 16, 4, 4])
        XCTAssertEqual(AdaptiveAvgPool2d(1)(x).shape, [2, 8, 1, 1])
        XCTAssertEqual(ConvTranspose2d(8, 3, kernel: 2, stride: 2, rng: &rng)(x).shape, [2, 3, 16, 16])
    }

    /// Without a recorder the blocks (residual, Fire, squeeze-decoder) fuse batch norm + ReLU and add + ReLU; with one they run
    /// layer by layer. Both give the same output, input gradient, parameter gradients and
    /// running statistics to the bit, in training and in evaluation.
    func testResidualBlocksFusedAndLayerByLayerAgreeBitForBit() throws {
        for training in [true, false] {
            for makeBlock in [{ (rng: inout SeededRandom) -> Module in Bottleneck(8, 4, stride: 2, rng: &rng) },
                              { (rng: inout SeededRandom) -> Module in BasicBlock(8, 8, rng: &rng) },
                              { (rng: inout SeededRandom) -> Module in Fire(8, squeeze: 4, expand1x1: 6, expand3x3: 10, batchNorm: true, rng: &rng) },
                              { (rng: inout SeededRandom) -> Module in SqueezeDecoder(8, expand1x1: 6, expand3x3: 6, squeeze: 5, batchNorm: true, rng: &rng) },
                              { (rng: inout SeededRandom) -> Module in
                                  SqueezeDecoder(8, expand1x1: 6, expand3x3: 6, squeeze: 5, finalActivation: false, batchNorm: true, rng: &rng) }] {
                func run(recorded: Bool) throws -> [[UInt32]] {
                    var rng = SeededRandom(seed: 5)
                    let block = makeBlock(&rng)
                    if training { block.train() } else { block.eval() }
                    let x = Tensor.normal([3, 8, 6, 6], rng: &rng).requiringGrad()
                    let y = recorded ? try block.forward(x, recording: []).output : block(x)
                    y.backward(seed: Tensor.normal(y.shape, rng: &rng).data)
                    let arrays = [y.data, x.grad!] + block.parameters.map { $0.grad ?? [] } + block.stateDict().sorted { $0.key < $1.key }.map(\.value.data)
                    return arrays.map { $0.map(\.bitPattern) }
                }
                XCTAssertEqual(try run(recorded: false), try run(recorded: true), "training \(training)")
            }
        }
    }

    func testPairedUnpoolingRestoresPooledPositions() {
        let pool = MaxPool2d(kernel: 2)
        let net = Sequential(pool, MaxUnpool2d(pairedWith: pool))
        let x = Tensor([1, 5, 2, 0, 3, 4, 8, 6, 9, 0, 1, 2, 7, 3, 4, 11], shape: [1, 1, 4, 4])
        XCTAssertEqual(net(x).data, [0, 5, 0, 0, 0, 0, 8, 0, 9, 0, 0, 0, 0, 0, 0, 11])
    }

    func testRecordingActivationsByPathAndBackpropagatingFromOne() throws {
        var rng = SeededRandom(seed: 4)
        let model = Sequential(named: [
            ("features", Sequential(Conv2d(1, 4, kernel: 3, padding: 1, rng: &rng), ReLU(), MaxPool2d(kernel: 2))),
            ("classifier", Sequential(Flatten(), Linear(4 * 4 * 4, 3, rng: &rng))),
        ])
        model.freeze()
        let x = Tensor.normal([2, 1, 8, 8], rng: &rng).requiringGrad()
        let (output, acts) = try model.forward(x, recording: ["features.1", "classifier"])
        XCTAssertEqual(output.shape, [2, 3])
        XCTAssertEqual(acts.paths, ["features.1", "classifier"])
        let unit = try XCTUnwrap(acts["features.1"]).channel(2).mean()
        unit.backward()
        XCTAssertNotNil(x.grad, "activation maximisation needs d unit / d input")
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad == nil }, "frozen parameters get no gradient")

        let (_, all) = try model.forward(x, recording: nil)
        XCTAssertEqual(all.paths, ["features.0", "features.1", "features.2", "features", "classifier.0", "classifier.1", "classifier"])
        XCTAssertThrowsError(try model.forward(x, recording: ["features.9"])) { error in
            XCTAssertTrue(String(describing: error).contains("features.9"))
        }
    }

    func testEditingAnActivationChangesTheOutputDownstream() throws {
        var rng = SeededRandom(seed: 5)
        let model = Sequential(named: [("conv", Conv2d(1, 2, kernel: 3, padding: 1, rng: &rng)), ("relu", ReLU()),
                                       ("pool", GlobalAvgPool2d()), ("fc", Linear(2, 1, rng: &rng))])
        let x = Tensor.normal([1, 1, 4, 4], rng: &rng)
        // Zeroing every channel of the ReLU output leaves only the head's bias.
        let (y, acts) = try model.forward(x, recording: ["relu"], editing: ["relu": { $0 * 0 }])
        XCTAssertEqual(y.data[0], model.module(at: "fc").map { ($0 as! Linear).bias!.data[0] }!, accuracy: 1e-6)
        XCTAssertEqual(acts["relu"]!.data, [Float](repeating: 0, count: 32))
        XCTAssertThrowsError(try model.forward(x, recording: nil, editing: ["nope": { $0 }]))
    }

    func testCustomOpJoinsTheGraph() {
        let x = Tensor([1, 2], shape: [2]).requiringGrad()
        let doubled = Tensor.custom(x.data.map { 2 * $0 }, shape: [2], inputs: [x]) { out in
            x.addToGrad(out.grad!.map { 2 * $0 })
        }
        (doubled * doubled).sum().backward()   // d/dx (2x)² = 8x
        XCTAssertEqual(x.grad, [8, 16])
    }

    func testEvalModeUsesRunningStatisticsAndDisablesDropout() {
        let bn = BatchNorm2d(1)
        let drop = Dropout(0.5, seed: 1)
        let net = Sequential(bn, drop)
        let x = Tensor([1, 2, 3, 4], shape: [4, 1])
        _ = net(x)
        XCTAssertEqual(bn.runningMean.data[0], 0.25, accuracy: 1e-6)      // 0.9·0 + 0.1·2.5
        XCTAssertEqual(bn.runningVar.data[0], 0.9 + 0.1 * (5.0 / 3), accuracy: 1e-6)
        net.eval()
        let y = net(x)
        let expected = x.data.map { ($0 - 0.25) / (bn.runningVar.data[0] + 1e-5).squareRoot() }
        for (a, b) in zip(y.data, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }
}
