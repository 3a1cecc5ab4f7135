import AssayData
import AssayEngine
import AssayNN
import AssayLanguage
@testable import AssayStages
import AssaySupport
import XCTest

/// A small CNN trained for a few seconds on a slice of Fashion-MNIST, shared by the
/// interpretability tests (trained once per process).
enum InterpretabilityFixture {
    struct Trained {
        var spec: ModelSpec
        var network: SpecNetwork
        var train: ImageDataset
        var test: ImageDataset
    }

    nonisolated(unsafe) private static var cached: Trained?

    static func spec(layers: String, directory: URL) throws -> ModelSpec {
        let yaml = """
        assay: 1
        name: tiny-fv
        datasets:
          fmnist: { fashion-mnist: {} }
        models:
          cnn:
            layers:
        \(layers)
        stages:
          fit: { train: { model: cnn, data: fmnist.train, epochs: 1 } }
        """
        let result = Checker.check(source: SourceFile(path: directory.appendingPathComponent("tiny.yaml").path, text: yaml))
        XCTAssertFalse(result.hasErrors, DiagnosticRenderer(sources: result.sources).renderText(result.diagnostics))
        return try XCTUnwrap(result.experiments.first?.models["cnn"])
    }

    static let smallCNN = """
              - conv1: { conv: { out: 8, kernel: 3, pad: 1 } }
              - relu
              - pool1: { maxpool: 2 }
              - conv2: { conv: { out: 16, kernel: 3, pad: 1 } }
              - relu
              - pool2: { maxpool: 2 }
              - flatten
              - fc1: { linear: 10 }
        """

    static func trained(directory: URL) throws -> Trained {
        if let cached { return cached }
        let spec = try spec(layers: smallCNN, directory: directory)
        let train = try FashionMNIST.load(.train).subset(Array(0..<4000))
        let test = try FashionMNIST.load(.test).subset(Array(0..<1000))
        let network = try SpecNetwork(spec: spec, seed: 1)
        network.train()
        let optimizer = Adam(network.trainableParameters, learningRate: 3e-3)
        for epoch in 0..<3 {
            for batch in BatchIterator(dataset: train, batchSize: 64, shuffleSeed: 7, epoch: epoch) {
                let x = Tensor(batch.images, shape: [batch.count, 1, 28, 28])
                optimizer.zeroGrad()
                crossEntropy(network(x), targets: batch.labels.map(Int.init)).backward()
                optimizer.step()
            }
        }
        network.eval()
        let trained = Trained(spec: spec, network: network, train: train, test: test)
        cached = trained
        return trained
    }
}
