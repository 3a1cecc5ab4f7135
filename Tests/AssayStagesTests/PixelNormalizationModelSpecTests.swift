import AssayData
import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import XCTest

/// The model's normalisation as every stage applies it: the data pipeline's byte conversion and the
/// in-graph map for images in [0, 1] agree, and gradients flow through the latter to the pixels.
final class PixelNormalizationModelSpecTests: XCTestCase {
    func spec(mean: [Double], std: [Double]) -> ModelSpec {
        ModelSpec(name: "m", architecture: "custom", task: .classification, inputShape: [3, 2, 2], outputShape: [2], classes: 2,
                  normalizeMean: mean, normalizeStd: std, layers: [])
    }

    func testTheSpecsStatisticsOrPixelsInTheUnitRange() {
        XCTAssertEqual(PixelNormalization(expectedBy: spec(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])),
                       PixelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]))
        XCTAssertEqual(PixelNormalization(expectedBy: spec(mean: [], std: [])), .unitRange)
        XCTAssertTrue(PixelNormalization.unitRange.isIdentity)
        let x = Tensor([0.5, 0.25], shape: [1, 1, 1, 2])
        XCTAssertTrue(PixelNormalization.unitRange.applied(toUnitRange: x) === x, "the identity adds nothing to the graph")
    }

    /// The in-graph map of bytes/255 equals the pipeline's conversion of the bytes (to rounding).
    func testInGraphMapAgreesWithTheDataPipeline() throws {
        let normalization = PixelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        let bytes: [UInt8] = (0..<96).map { (i: Int) -> UInt8 in UInt8((i * 37) % 256) }
        let dataset = try ImageDataset(shape: SampleShape(channels: 3, height: 4, width: 4), pixels: bytes, labels: [0, 1], classNames: ["a", "b"])
        let pipeline = dataset.floatPixels(normalization)
        let unitRange: [Float] = bytes.map { Float($0) / 255 }
        let graph = normalization.applied(toUnitRange: Tensor(unitRange, shape: [2, 3, 4, 4])).data
        for (a, b) in zip(pipeline, graph) { XCTAssertEqual(a, b, accuracy: 2e-6) }
        let first: Float = (0 - 0.485) / 0.229
        XCTAssertEqual(pipeline[0], first, accuracy: 1e-6)
    }

    /// d/dx Σ w·((x − m_c)/s_c) = w/s_c, against central finite differences in Double.
    func testGradientReachesThePixels() throws {
        let normalization = PixelNormalization(mean: [0.5, 0.25, 0.1], std: [0.5, 0.2, 0.3])
        var rng = SeededRandom(seed: 4)
        let shape = [2, 3, 2, 2]
        let count = shape.reduce(1, *)
        let x = Tensor((0..<count).map { _ in rng.nextFloat() }, shape: shape, requiresGrad: true)
        let w = (0..<count).map { _ in Float(rng.nextNormal()) }
        (normalization.applied(toUnitRange: x) * Tensor(w, shape: shape)).sum().backward()
        let grad = try XCTUnwrap(x.grad)
        func objective(_ values: [Float]) -> Double {
            let y = Autograd.withoutGradients { normalization.applied(toUnitRange: Tensor(values, shape: shape)) }
            return zip(y.data, w).map { Double($0) * Double($1) }.reduce(0, +)
        }
        let h: Float = 1e-2
        for i in 0..<count {
            var up = x.data, down = x.data
            up[i] += h
            down[i] -= h
            let numeric = (objective(up) - objective(down)) / Double(2 * h)
            XCTAssertEqual(Double(grad[i]), numeric, accuracy: 1e-3 * max(1, abs(numeric)), "pixel \(i)")
            let channel = (i / 4) % 3
            XCTAssertEqual(grad[i], w[i] / normalization.std[channel], accuracy: 1e-5)
        }
    }
}
