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

    func testDefaultFourierAscentBeatsTheNoiseAndTheBestNaturalImage() throws {
        let fixture = try InterpretabilityFixture.trained(directory: directory)
        // The unit with the highest top-1 natural activation, as the bar prescribes.
        let units = (0..<16).map { NetworkUnit(layer: "conv2", channel: $0) }
        let rankings = try units.map { try UnitRanking.measure(fixture.network, unit: $0, dataset: fixture.test, stage: "t", cancelled: {}) }
        let best = (0..<16).max { rankings[$0].scores.max()! < rankings[$1].scores.max()! }!
        let top1 = rankings[best].scores.max()!

        var settings = SyntheticSettings()
        settings.restarts = 2
        let result = try SyntheticVisualizer(settings: settings).run(fixture.network, unit: units[best], shape: fixture.test.shape, stage: "t")
        let start = result.startActivations.max()!, reached = result.activations.max()!
        XCTAssertGreaterThan(reached, 5 * max(start, 0.01 * top1), "start \(start), reached \(reached)")
        XCTAssertGreaterThan(reached, top1, "synthetic \(reached) vs natural top-1 \(top1)")
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
        let unit = NetworkUnit(layer: "conv1", channel: 0)
        let result = try SyntheticVisualizer(settings: settings).run(fixture.network, unit: unit, shape: fixture.test.shape, stage: "t")
        XCTAssertGreaterThan(result.activations[0], result.startActivations[0] + 0.1)
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
