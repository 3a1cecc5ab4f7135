import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import XCTest

/// Whole-network gradient checks: each op is checked alone in AssayTensorTests; here the
/// composition a built-in wires up (pool indices reused by unpool, fire modules, transposed
/// convolutions) is checked against central differences on a few parameters.
final class SpecNetworkGradientTests: XCTestCase {
    func model(_ declaration: String, input: Int = 32) throws -> ModelSpec {
        let yaml = """
        assay: 1
        name: g
        datasets:
          fmnist: { fashion-mnist: {} }
          scenes: { compose: { items: fmnist, per-canvas: [1, 2], canvas: [\(input), \(input)], samples: { train: 4, test: 4 } } }
        segmentation:
          parts: { data: scenes }
        models:
          m: \(declaration)
        stages:
          fit: { segmentation-train: { model: m, data: scenes.train, target: parts, epochs: 1 } }
        """
        let result = Checker.check(source: SourceFile(path: "/tmp/g.yaml", text: yaml))
        XCTAssertFalse(result.hasErrors, DiagnosticRenderer(sources: result.sources).renderText(result.diagnostics))
        return try XCTUnwrap(result.experiments.first?.models["m"])
    }

    func check(_ spec: ModelSpec, file: StaticString = #filePath, line: UInt = #line) throws {
        let network = try SpecNetwork(spec: spec, seed: 1)
        network.eval()  // dropout off: the loss must be a deterministic function of the weights
        var rng = SeededRandom(seed: 2)
        let shape = [2] + spec.inputShape
        let x = Tensor((0..<shape.reduce(1, *)).map { _ in rng.nextFloat() }, shape: shape)
        let plane = spec.outputShape[1] * spec.outputShape[2]
        let targets = (0..<2 * plane).map { _ in rng.nextInt(below: spec.classes) }
        func loss() -> Float { crossEntropy(network(x), targets: targets, reduction: .sum).item }
        network.zeroGrad()
        let l = crossEntropy(network(x), targets: targets, reduction: .sum)
        l.backward()
        var worst = 0.0
        var checked = 0
        for (name, p) in network.namedParameters() where name.hasSuffix("weight") {
            let grad = try XCTUnwrap(p.grad, name)
            for _ in 0..<2 {
                let i = rng.nextInt(below: p.count)
                let saved = p.data[i]
                let h: Float = 1e-2
                p.data[i] = saved + h
                let up = Double(loss())
                p.data[i] = saved - h
                let down = Double(loss())
                p.data[i] = saved
                let numeric = (up - down) / (2 * Double(h))
                let analytic = Double(grad[i])
                let error = abs(numeric - analytic) / max(1, abs(numeric) + abs(analytic))
                if error > 0.05 { XCTFail("\(name)[\(i)]: analytic \(analytic) vs numeric \(numeric)", file: file, line: line) }
                worst = max(worst, error)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 4, file: file, line: line)
    }

    func testSqueezeSegNetGradientsMatchFiniteDifferences() throws {
        try check(model("{ squeeze-segnet: { width: 0.25, target: parts } }"))
    }

    func testSegNetGradientsMatchFiniteDifferences() throws {
        try check(model("{ segnet: { width: 0.0625, target: parts } }"))
    }
}
