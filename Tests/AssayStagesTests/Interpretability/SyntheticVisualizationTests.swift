import AssayData
import AssayNN
@testable import AssayStages
import XCTest

/// Gradient ascent from noise must find inputs that excite the unit far more than the noise does,
/// and more than the best natural image (the bar the issue sets for the defaults).
final class SyntheticVisualizationTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testDefaultFourierAscentBeatsEveryUnitsBestNaturalImage() throws {
        let fixture = try InterpretabilityFixture.trained(directory: directory)
        var settings = SyntheticSettings()
        settings.steps = 128
        for channel in 0..<16 {
            let unit = NetworkUnit(layer: "conv2", channel: channel)
            let top1 = try UnitRanking.measure(fixture.network, unit: unit, dataset: fixture.test, stage: "t", cancelled: {}).scores.max()!
            let result = try SyntheticVisualizer(settings: settings).run(fixture.network, unit: unit, shape: fixture.test.shape, stage: "t")
            XCTAssertGreaterThan(result.activations[0], top1, "\(unit): synthetic \(result.activations[0]) vs natural top-1 \(top1)")
        }
    }

    func testAscentMultipliesTheActivationOfTheNoiseItStartsFrom() throws {
        let fixture = try InterpretabilityFixture.trained(directory: directory)
        let visualizer = SyntheticVisualizer(settings: SyntheticSettings())
        // The unit the starting noise excites least (but positively): the factor is meaningful.
        let starts = try (0..<16).map { c -> Float in
            var probe = SyntheticSettings()
            probe.steps = 0
            return try SyntheticVisualizer(settings: probe).run(fixture.network, unit: NetworkUnit(layer: "conv2", channel: c), shape: fixture.test.shape, stage: "t").startActivations[0]
        }
        let channel = (0..<16).filter { starts[$0] > 0 }.min { starts[$0] < starts[$1] }!
        let result = try visualizer.run(fixture.network, unit: NetworkUnit(layer: "conv2", channel: channel), shape: fixture.test.shape, stage: "t")
        XCTAssertGreaterThan(result.activations[0], 5 * result.startActivations[0], "conv2[\(channel)]: \(result)")
        // Not a blank image: the pixels vary.
        let image = Array(result.images[0..<784])
        let mean = image.reduce(0, +) / 784
        XCTAssertGreaterThan(image.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 784, 1e-3)
    }

    func testPixelParameterisationWithBlurAlsoAscends() throws {
        let fixture = try InterpretabilityFixture.trained(directory: directory)
        var settings = SyntheticSettings()
        settings.parameterization = .pixel
        settings.blur = 0.5
        settings.steps = 128
        settings.restarts = 3
        let unit = NetworkUnit(layer: "conv2", channel: 8)
        let top1 = try UnitRanking.measure(fixture.network, unit: unit, dataset: fixture.test, stage: "t", cancelled: {}).scores.max()!
        let result = try SyntheticVisualizer(settings: settings).run(fixture.network, unit: unit, shape: fixture.test.shape, stage: "t")
        for r in 0..<3 {
            XCTAssertGreaterThan(result.activations[r], 1.5 * result.startActivations[r], "\(result.activations) from \(result.startActivations)")
            XCTAssertGreaterThan(result.activations[r], top1, "\(result.activations) vs natural top-1 \(top1)")
        }
    }

    func testSameSeedGivesBitIdenticalImages() throws {
        let fixture = try InterpretabilityFixture.trained(directory: directory)
        var settings = SyntheticSettings()
        settings.steps = 32
        let unit = NetworkUnit(layer: "conv2", channel: 3)
        let a = try SyntheticVisualizer(settings: settings).run(fixture.network, unit: unit, shape: fixture.test.shape, stage: "t")
        let b = try SyntheticVisualizer(settings: settings).run(fixture.network, unit: unit, shape: fixture.test.shape, stage: "t")
        XCTAssertEqual(a, b)
    }
}
