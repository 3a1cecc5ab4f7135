import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import XCTest

/// Why Squeeze-SegNet did not learn the scenes task (mIoU 0.11 against SegNet's 0.40, the same in
/// PyTorch, see scripts/squeeze_segnet_reference.py): its last layers are `unpool1` and a 2×2
/// stride-2 transposed conv. Unpooling writes one value per 3×3 pool window and channel, so each
/// channel of `unpool1`'s output is at least 3/4 zero, and a 2×2 stride-2 kernel maps each of its
/// positions to its own 2×2 output block: a pixel sees only the channels whose argmax fell on its
/// position, and where none did it gets the conv's bias whatever the image is. A `head-kernel` of
/// 8 makes every output pixel read a 4×4 neighbourhood, which always holds a whole pool window.
final class SqueezeSegNetHeadTests: XCTestCase {
    func model(_ arguments: String) throws -> ModelSpec {
        let yaml = "assay: 1\nmodels:\n  m: { squeeze-segnet: { input: [1, 32, 32], classes: 5, width: 0.25\(arguments) } }\n"
        let result = Checker.check(source: SourceFile(path: "/tmp/head.yaml", text: yaml))
        XCTAssertFalse(result.hasErrors, DiagnosticRenderer(sources: result.sources).renderText(result.diagnostics))
        return try XCTUnwrap(result.experiments.first?.models["m"])
    }

    struct Coverage {
        /// The share of output pixels whose class scores are exactly the head's bias.
        var biasOnly: Double
        /// The share of `unpool1`'s output (all channels) that is not zero.
        var unpooledNonzero: Double
        /// The share of `unpool1`'s positions where every channel is zero.
        var unpooledEmpty: Double
    }

    /// Coverage over two random images, with weights drawn from a fixed seed.
    func coverage(_ spec: ModelSpec) throws -> Coverage {
        let network = try SpecNetwork(spec: spec, seed: 4)
        network.eval()
        let head = try XCTUnwrap(network.namedModules().first { $0.path == "conv1_D" }?.module as? ConvTranspose2d)
        // A bias that differs per class, so a pixel with only the bias is told apart from a zero pixel.
        head.bias?.data = (0..<spec.classes).map { Float($0) + 0.5 }
        var rng = SeededRandom(seed: 5)
        let shape = [2] + spec.inputShape
        let x = Tensor((0..<shape.reduce(1, *)).map { _ in rng.nextFloat() }, shape: shape)
        let (logits, recorded) = try Autograd.withoutGradients { try network.forward(x, recording: ["unpool1"]) }
        let (n, c, plane) = (logits.shape[0], logits.shape[1], logits.shape[2] * logits.shape[3])
        var biasOnly = 0
        for image in 0..<n {
            for pixel in 0..<plane where (0..<c).allSatisfy({ logits.data[(image * c + $0) * plane + pixel] == Float($0) + 0.5 }) {
                biasOnly += 1
            }
        }
        let unpooled = try XCTUnwrap(recorded.ordered.first?.activation)
        let (channels, positions) = (unpooled.shape[1], unpooled.shape[2] * unpooled.shape[3])
        var empty = 0
        for image in 0..<n {
            for p in 0..<positions where (0..<channels).allSatisfy({ unpooled.data[(image * channels + $0) * positions + p] == 0 }) { empty += 1 }
        }
        return Coverage(biasOnly: Double(biasOnly) / Double(n * plane),
                        unpooledNonzero: Double(unpooled.data.filter { $0 != 0 }.count) / Double(unpooled.count),
                        unpooledEmpty: Double(empty) / Double(n * positions))
    }

    func testTwoByTwoHeadLeavesThePixelsOfEmptyUnpooledPositionsToTheBias() throws {
        for arguments in ["", ", batch-norm: true"] {
            let c = try coverage(model(arguments))
            XCTAssertLessThanOrEqual(c.unpooledNonzero, 0.25, arguments)
            XCTAssertGreaterThan(c.unpooledEmpty, 0.05, arguments)
            XCTAssertEqual(c.biasOnly, c.unpooledEmpty, arguments)
        }
    }

    func testEightByEightHeadPredictsEveryPixelFromTheImage() throws {
        for arguments in [", head-kernel: 8", ", head-kernel: 8, batch-norm: true"] {
            let c = try coverage(model(arguments))
            XCTAssertGreaterThan(c.unpooledEmpty, 0.05, arguments)
            XCTAssertEqual(c.biasOnly, 0, arguments)
        }
    }

    func testEveryHeadKernelRestoresTheInputSize() throws {
        for k in 2...9 {
            let spec = try model(", head-kernel: \(k)")
            XCTAssertEqual(spec.outputShape, [5, 32, 32], "head-kernel \(k)")
            XCTAssertEqual(spec.layer(named: "conv1_D")?.tensors.first?.shape, [24, 5, k, k])
        }
    }
}
