import AssayNN
import XCTest

/// Convergence and determinism of a whole training run (release builds: the
/// debug build is an order of magnitude slower).
final class TrainingTests: XCTestCase {
    func loadOrSkip(train: Bool) throws -> FashionMNISTFixture {
        do {
            return try FashionMNISTFixture.load(train: train)
        } catch {
            throw XCTSkip("Fashion-MNIST not installed at \(FashionMNISTFixture.directory) (apt install dataset-fashion-mnist)")
        }
    }

    func testSmallCNNReaches85PercentOnFashionMNISTInOneEpoch() throws {
        #if DEBUG
        throw XCTSkip("run with: swift test -c release -Xswiftc -enable-testing")
        #else
        let train = try loadOrSkip(train: true), test = try loadOrSkip(train: false)
        let model = makeSmallCNN(seed: 1)
        trainOneEpoch(model, on: train, batchSize: 128, learningRate: 2e-3, seed: 2)
        let acc = accuracy(model, on: test)
        XCTAssertGreaterThanOrEqual(acc, 0.85, "test accuracy after one epoch: \(acc)")
        #endif
    }

    func testTwoRunsWithTheSameSeedGiveBitIdenticalWeights() throws {
        let train = try loadOrSkip(train: true)
        func run() -> [String: [Float]] {
            let model = makeSmallCNN(seed: 7)
            trainOneEpoch(model, on: train, limit: 640, batchSize: 64, seed: 8)
            return model.stateDict().mapValues(\.data)
        }
        let first = run(), second = run()
        XCTAssertEqual(first.keys.sorted(), second.keys.sorted())
        for (name, values) in first {
            XCTAssertTrue(values == second[name]!, "\(name) differs between identical runs")
        }
        // And training moved the weights at all.
        XCTAssertNotEqual(first["fc2.weight"], makeSmallCNN(seed: 7).stateDict()["fc2.weight"]!.data)
    }
}
