import AssayData
import AssayEngine
import AssayNN
@testable import AssayStages
import XCTest

/// The issue's bars on the CNN of `experiments/fv-attacks.yaml` trained on all of Fashion-MNIST
/// (3 epochs, Adam 10⁻³, batch 64), attacks with the experiment's settings. Opt-in (minutes):
/// `ASSAY_FV_BARS=1 [ASSAY_FV_LR=1e-3] [ASSAY_FV_STEPS=300] [ASSAY_FV_PULSE_STEPS=…] [ASSAY_FV_PULSE_LR=…] swift test -c release --filter FVAttackBarsMeasurement`;
/// `ASSAY_FV_ONLY=fixture,pulsed,…` runs only those stages, `ASSAY_FV_PULSE_UNIT=fc1:7` fixes ProxPulse's unit.
/// Prints the figures; asserts the bars.
final class FVAttackBarsMeasurement: XCTestCase {
    func testBarsOnTheExperimentsCNN() throws {
        let env = ProcessInfo.processInfo.environment
        try XCTSkipUnless(env["ASSAY_FV_BARS"] == "1", "set ASSAY_FV_BARS=1 to measure the bars (minutes)")
        let directory = URL(fileURLWithPath: env["ASSAY_FV_DIR"] ?? FileManager.default.temporaryDirectory.appendingPathComponent("fv-bars").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let spec = try InterpretabilityFixture.spec(layers: """
                  - conv1: { conv: { out: 32, kernel: 3, pad: 1 } }
                  - relu
                  - pool1: { maxpool: 2 }
                  - conv2: { conv: { out: 64, kernel: 3, pad: 1 } }
                  - relu
                  - pool2: { maxpool: 2 }
                  - flatten
                  - fc1: { linear: 128 }
                  - relu
                  - fc2: { linear: 10 }
            """, directory: directory)
        let train = try FashionMNIST.load(.train), test = try FashionMNIST.load(.test)
        let started = Date()
        // The trained model is kept beside the store, so re-measuring skips training.
        let saved = directory.appendingPathComponent("cnn.safetensors")
        let network: SpecNetwork
        if FileManager.default.fileExists(atPath: saved.path) {
            network = try ModelArtifact.read(from: saved, stage: "cnn")
        } else {
            network = try SpecNetwork(spec: spec, seed: 0)
            network.train()
            let optimizer = Adam(network.trainableParameters, learningRate: 1e-3)
            for epoch in 0..<3 {
                for batch in BatchIterator(dataset: train, batchSize: 64, shuffleSeed: 0, epoch: epoch) {
                    optimizer.zeroGrad()
                    crossEntropy(network(Tensor(batch.images, shape: [batch.count, 1, 28, 28])), targets: batch.labels.map(Int.init)).backward()
                    optimizer.step()
                }
            }
            network.eval()
            try ModelArtifact.write(network, to: saved)
        }
        let trainSeconds = Date().timeIntervalSince(started)
        // The conv2 unit with the highest top-1 (conv2[31] for this model); ASSAY_FV_UNIT=31 skips the search.
        let unit = try env["ASSAY_FV_UNIT"].flatMap(Int.init).map { NetworkUnit(layer: "conv2", channel: $0) }
            ?? AttackSuite.choose(network, layer: "conv2", channels: 64, test: test).unit
        let target = directory.appendingPathComponent("checkerboard.png")
        try AttackSuite.checkerboard(at: target)
        // The experiment's decoy and concept set: trousers and dresses of the test split.
        let trousers = test.subset((0..<test.count).filter { [1, 3].contains(test.labels[$0]) })
        var suite = AttackSuite(network: network, train: train, test: test, unit: unit, head: NetworkUnit(layer: "fc2", channel: 1),
                                concept: trousers, decoy: trousers, target: target)
        suite.steps = Int(env["ASSAY_FV_STEPS"] ?? "300") ?? 300
        suite.lr = Double(env["ASSAY_FV_LR"] ?? "1e-3") ?? 1e-3
        suite.batchSize = 64
        suite.pulseSteps = env["ASSAY_FV_PULSE_STEPS"].flatMap(Int.init)
        suite.pulseLR = env["ASSAY_FV_PULSE_LR"].flatMap(Double.init)
        suite.syntheticSteps = 256
        // ProxPulse attacks a neuron of fc1, whose receptive field is the whole image (a conv2
        // channel sees 8×8 pixels and is averaged over positions, so the target's layout is
        // beyond it); ASSAY_FV_PULSE_UNIT=layer:channel overrides the choice.
        if let text = env["ASSAY_FV_PULSE_UNIT"], let colon = text.firstIndex(of: ":"), let channel = Int(text[text.index(after: colon)...]) {
            suite.pulseUnit = NetworkUnit(layer: String(text[..<colon]), channel: channel)
        } else {
            suite.pulseUnit = try AttackSuite.chooseNeuron(network, layer: "fc1", test: test)
        }
        let only = env["ASSAY_FV_ONLY"].map { Set($0.split(separator: ",").map(String.init)) }
        let attackStarted = Date()
        let (result, engine) = try suite.run(in: directory, only: only)
        XCTAssertEqual(result.status, .succeeded, "\(result.stages.map { "\($0.stage): \($0.status)" })")
        print("unit \(unit), ProxPulse unit \(suite.pulseUnit.map(\.description) ?? "the same"), trained in \(Int(trainSeconds)) s, stages in \(Int(Date().timeIntervalSince(attackStarted))) s, store \(directory.path)/store")
        for stage in result.stages.map(\.stage).sorted() {
            guard let report = result.report(stage: stage) else { continue }
            let figures = report.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.4f", $0.value))" }.joined(separator: " ")
            print("\(stage): \(figures)")
            for (name, digest) in report.outputs where name.hasSuffix(".png") { print("  \(name): \(engine.store.objectURL(digest).path)") }
        }
    }
}
