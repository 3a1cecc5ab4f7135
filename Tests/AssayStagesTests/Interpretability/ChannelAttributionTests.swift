import AssayData
import AssayNN
@testable import AssayStages
import XCTest

/// Activation × gradient equals the head's derivative under scaling a channel by (1 + ε):
/// scaling conv weights and bias of output channel c scales a_c exactly, so a central finite
/// difference of the head score checks the attribution end to end.
final class ChannelAttributionTests: XCTestCase {
    func testAttributionMatchesFiniteDifferenceOfChannelScaling() throws {
        let directory = FileManager.default.temporaryDirectory
        let spec = try InterpretabilityFixture.spec(layers: InterpretabilityFixture.smallCNN, directory: directory)
        let network = try SpecNetwork(spec: spec, seed: 5)
        network.eval()
        let data = try FashionMNIST.load(.test).subset(Array(0..<16))
        let head = NetworkUnit(layer: "fc1", channel: 3)
        let layers = try ChannelAttribution.layers(before: head, in: spec, requested: ["all"], stage: "t")
        XCTAssertEqual(layers, ["conv1", "conv2"])
        let indices = Array(0..<data.count)
        let attributions = try ChannelAttribution.compute(network, head: head, layers: layers, dataset: data, indices: indices, stage: "t")

        func meanHead() throws -> Double {
            let ranking = try UnitRanking.measure(network, unit: head, dataset: data, stage: "t", cancelled: {})
            return ranking.scores.reduce(0.0) { $0 + Double($1) } / Double(data.count)
        }
        let parameters = Dictionary(uniqueKeysWithValues: network.namedParameters().map { ($0.name, $0.tensor) })
        let epsilon: Float = 1e-2
        for (l, layer) in layers.enumerated() {
            let weight = try XCTUnwrap(parameters["\(layer).weight"]), bias = try XCTUnwrap(parameters["\(layer).bias"])
            let perChannel = weight.count / weight.shape[0]
            for c in [0, 5] {
                let (w0, b0) = (weight.data, bias.data)
                func scale(_ factor: Float) {
                    weight.data = w0
                    bias.data = b0
                    for j in 0..<perChannel { weight.data[c * perChannel + j] *= factor }
                    bias.data[c] *= factor
                }
                scale(1 + epsilon)
                let up = try meanHead()
                scale(1 - epsilon)
                let down = try meanHead()
                scale(1)
                let estimate = (up - down) / Double(2 * epsilon)
                XCTAssertEqual(Double(attributions[l][c]), estimate, accuracy: 0.02 * max(abs(estimate), 1e-2), "\(layer)[\(c)]")
            }
        }
    }
}
