import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import XCTest

/// Every stage that feeds a model images applies the model's declared normalisation, and exactly
/// the data pipeline's: a model that declares `(x − m)/s` must give the same features, natural and
/// synthetic visualisations, circuit and attack measures as the model without normalisation whose
/// first (unpadded) convolution has the normalisation folded into its weights — W/s and
/// b − (m/s)·ΣW. A stage that forgot the normalisation, or applied it outside the synthetic FV's
/// gradient, would feed the two models different inputs and disagree.
final class InputNormalizationStagesTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("normalization-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    static let mean: Float = 0.3, std: Float = 0.2

    /// The same function of [0, 1] pixels twice: normalising, and folded into `conv1`.
    func models() throws -> (normalizing: SpecNetwork, folded: SpecNetwork) {
        let plain = try InterpretabilityFixture.spec(layers: """
                  - conv1: { conv: { out: 6, kernel: 3, pad: 0 } }
                  - relu
                  - pool1: { maxpool: 2 }
                  - conv2: { conv: { out: 8, kernel: 3, pad: 1 } }
                  - relu
                  - pool2: { maxpool: 2 }
                  - flatten
                  - fc1: { linear: 10 }
            """, directory: directory)
        var declaring = plain
        declaring.normalizeMean = [Double(Self.mean)]
        declaring.normalizeStd = [Double(Self.std)]
        let normalizing = try SpecNetwork(spec: declaring, seed: 5)
        var state = normalizing.stateDict().mapValues { Tensor($0.data, shape: $0.shape) }
        let w = try XCTUnwrap(state["conv1.weight"]), b = try XCTUnwrap(state["conv1.bias"])
        let perOutput = w.count / w.shape[0]
        state["conv1.weight"] = Tensor(w.data.map { $0 / Self.std }, shape: w.shape)
        state["conv1.bias"] = Tensor((0..<b.count).map { o in
            b.data[o] - Self.mean / Self.std * w.data[(o * perOutput)..<((o + 1) * perOutput)].reduce(0, +)
        }, shape: b.shape)
        let folded = try SpecNetwork(spec: plain, seed: 0)
        try folded.loadStateDict(state, strict: true)
        normalizing.eval()
        folded.eval()
        return (normalizing, folded)
    }

    func testStagesApplyTheModelsNormalisation() throws {
        let (normalizing, folded) = try models()
        let test = try FashionMNIST.load(.test).subset(Array(0..<300))
        // The folding is exact up to rounding on the pipeline's inputs, and far from the raw-pixel forward.
        let x = NetworkInputs(network: folded, shape: test.shape).batch(test, Array(0..<16))
        let viaPipeline = NetworkInputs(network: normalizing, shape: test.shape).batch(test, Array(0..<16))
        XCTAssertLessThan(maxDifference(normalizing(viaPipeline).data, folded(x).data), 1e-4)
        XCTAssertGreaterThan(maxDifference(normalizing(x).data, folded(x).data), 0.1, "the normalisation matters for this model")

        let result = try run(normalizing: normalizing, folded: folded, data: test)
        XCTAssertEqual(result.status, .succeeded, "\(result.stages.map { "\($0.stage): \($0.status)" })")
        func output(_ stage: String, _ name: String) throws -> URL {
            try XCTUnwrap(result.report(stage: stage)?.outputs[name].map { storeURL($0) }, "\(stage).\(name)")
        }

        // features: every layer's pooled activations.
        let fn = try FeaturesArtifact.read(from: output("features-normalizing", "features"), stage: "t")
        let ff = try FeaturesArtifact.read(from: output("features-folded", "features"), stage: "t")
        XCTAssertEqual(fn.layers, ff.layers)
        XCTAssertLessThan(maxDifference(fn.splits[0].features.values, ff.splits[0].features.values), 1e-4, "features")

        // visualize: the natural top-k and its scores; the synthetic FV optimised in pixel space.
        let vn = try VisualizationArtifact.read(from: output("view-normalizing", "visualization"), stage: "t", slot: "v")
        let vf = try VisualizationArtifact.read(from: output("view-folded", "visualization"), stage: "t", slot: "v")
        let (nn, nf) = (try XCTUnwrap(vn.natural), try XCTUnwrap(vf.natural))
        XCTAssertEqual(nn.top, nf.top, "natural FV: the same top images")
        XCTAssertLessThan(maxDifference(nn.scores, nf.scores), 1e-4, "natural FV scores")
        let (sn, sf) = (try XCTUnwrap(vn.synthetic), try XCTUnwrap(vf.synthetic))
        XCTAssertLessThan(maxDifference(sn.images, sf.images), 1e-3, "synthetic FV: the same ascent in [0, 1] pixel space")
        XCTAssertLessThan(maxDifference(sn.activations, sf.activations), 1e-3 * max(1, abs(sf.activations[0])), "synthetic FV activation")
        // The synthetic FV's recorded activation is the unit's activation on the normalised image.
        let image = Tensor(Array(sn.images[0..<test.shape.count]), shape: [1, 1, 28, 28])
        let (_, recorded) = try normalizing.forward(PixelNormalization(expectedBy: normalizing.spec).applied(toUnitRange: image), recording: ["conv2"])
        let map = try XCTUnwrap(recorded["conv2"])
        let plane = map.shape[2] * map.shape[3]
        let unitMean = map.data[(3 * plane)..<(4 * plane)].reduce(0, +) / Float(plane)
        XCTAssertEqual(sn.activations[0], unitMean, accuracy: 1e-4 * max(1, abs(unitMean)))

        // circuit: the same attributions, hence the same kept channels.
        let cn = try CircuitArtifact.read(from: output("circuit-normalizing", "circuit"), stage: "t", slot: "c")
        let cf = try CircuitArtifact.read(from: output("circuit-folded", "circuit"), stage: "t", slot: "c")
        XCTAssertEqual(cn.layers.map(\.kept), cf.layers.map(\.kept))
        for (a, b) in zip(cn.layers, cf.layers) {
            XCTAssertLessThan(maxDifference(a.attributions, b.attributions), 1e-4 * max(1, b.attributions.map(abs).max() ?? 1), a.layer)
        }

        // attack: what it measures on the original model (accuracy, the unit's ranking) agrees.
        let an = try XCTUnwrap(result.report(stage: "attack-normalizing")?.metrics)
        let af = try XCTUnwrap(result.report(stage: "attack-folded")?.metrics)
        XCTAssertEqual(an["accuracy-before"], af["accuracy-before"])
        XCTAssertEqual(an["accuracy-before"]!, accuracy(normalizing, test, normalised: true), accuracy: 1e-12)
        XCTAssertEqual(an["over-accuracy-before"], af["over-accuracy-before"])
        let top1 = try XCTUnwrap(af["top1-before"])
        XCTAssertEqual(try XCTUnwrap(an["top1-before"]), top1, accuracy: 1e-4 * max(1, abs(top1)), "the unit's top activation")
    }

    /// The accuracy the test computes itself, with or without the model's normalisation.
    func accuracy(_ network: SpecNetwork, _ data: ImageDataset, normalised: Bool) -> Double {
        let x = Tensor(data.floatPixels(normalised ? PixelNormalization(expectedBy: network.spec) : .unitRange), shape: [data.count, 1, 28, 28])
        let predicted = NetworkInference.argmax(network(x))
        return Double(zip(predicted, data.labels).filter { $0 == $1 }.count) / Double(data.count)
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    var store: Store!
    func storeURL(_ digest: Digest) -> URL { store.objectURL(digest) }

    /// features, visualize (natural and synthetic), circuit and a push-down attack on each model.
    func run(normalizing: SpecNetwork, folded: SpecNetwork, data: ImageDataset) throws -> RunResult {
        func json(_ value: CanonicalValue) -> [UInt8] { value.canonicalJSON }
        let unit: CanonicalValue = .map(["layer": .string("conv2"), "channel": .int(3)])
        var nodes = [PlanNode(id: "fixture", operatorName: "fixture", parametersJSON: "{}", outputs: ["data", "normalizing", "folded"])]
        for model in ["normalizing", "folded"] {
            let modelInput = PlanInput(slot: "model", node: "fixture", output: model)
            nodes.append(PlanNode(id: "features-\(model)", operatorName: "features", operatorVersion: 1, parameters: json(.map([
                "layers": .list(["conv1", "conv2", "fc1"].map { .string($0) }), "pool": .map(["target": .int(64)]), "normalize": .string("none"), "batch-size": .int(64),
            ])), inputs: [modelInput, PlanInput(slot: "data.0", node: "fixture", output: "data")], outputs: ["features"]))
            nodes.append(PlanNode(id: "view-\(model)", operatorName: "visualize", operatorVersion: 1, parameters: json(.map([
                "unit": unit, "natural": .map(["top": .int(9), "over": .null]),
                "synthetic": .map(["steps": .int(24), "restarts": .int(1), "parameterization": .string("pixel"), "lr": .double(0.05),
                                   "l2": .double(1e-4), "tv": .double(1e-3), "jitter": .int(2), "seed": .int(0),
                               "blur": .double(0), "scale": .double(0.05), "rotation": .double(5)]),
            ])), inputs: [modelInput, PlanInput(slot: "natural.over", node: "fixture", output: "data")], outputs: ["natural.png", "synthetic.png", "visualization"]))
            nodes.append(PlanNode(id: "circuit-\(model)", operatorName: "circuit", operatorVersion: 1, parameters: json(.map([
                "head": .map(["layer": .string("fc1"), "channel": .int(1)]), "top-m": .int(2), "layers": .list([.string("all")]),
                "attribution": .string("activation-x-gradient"), "samples": .int(64), "data": .null,
            ])), inputs: [modelInput, PlanInput(slot: "data", node: "fixture", output: "data")], outputs: ["circuit"]))
            let attack: CanonicalValue = .map([
                "model": .null, "unit": unit, "objective": .map(["push-down": .map(["top": .int(9), "over": .null])]),
                "preserve": .map(["distill": .map(["data": .null, "temperature": .double(1)])]),
                "alpha": .double(0.5), "steps": .int(0), "lr": .double(1e-3), "batch-size": .int(16), "seed": .int(0),
            ])
            nodes.append(PlanNode(id: "attack-\(model)", operatorName: "attack", operatorVersion: 1, parameters: json(.map(["attack": attack])), inputs: [
                PlanInput(slot: "attack.model", node: "fixture", output: model),
                PlanInput(slot: "attack.objective.push-down.over", node: "fixture", output: "data"),
                PlanInput(slot: "attack.preserve.distill.data", node: "fixture", output: "data"),
            ], outputs: ["metrics", "model"]))
        }
        var operators = OperatorCatalog.standard
        operators["fixture"] = ClosureOperator { _, _, context in
            try DatasetArtifact.write(data, to: context.output(named: "data"))
            try ModelArtifact.write(normalizing, to: context.output(named: "normalizing"))
            try ModelArtifact.write(folded, to: context.output(named: "folded"))
            return StageResult()
        }
        store = try Store(root: directory.appendingPathComponent("store"))
        return try Engine(store: store, operators: operators).run(try Plan(nodes: nodes), options: RunOptions(threadsPerStage: 2))
    }
}
