import XCTest
@testable import AssayLearn

final class LayerFeatureAssemblyTests: XCTestCase {
    let conv = FeatureMatrix(rowArrays: [[3, 4], [0, 2]])
    let fc = FeatureMatrix(rowArrays: [[1, 0, 0], [1, 1, 1]])

    func testL2NormalisesEachLayerBlockAndRecordsSpans() throws {
        let assembly = try LayerFeatureAssembly.fit(layers: [("conv1", conv), ("fc1", fc)], normalization: .l2PerExample)
        XCTAssertEqual(assembly.spans, [FeatureLayerSpan(layer: "conv1", start: 0, count: 2),
                                        FeatureLayerSpan(layer: "fc1", start: 2, count: 3)])
        let features = try assembly.apply([("conv1", conv), ("fc1", fc)])
        XCTAssertEqual(features.columns, 5)
        let s = Float(1 / 3.0.squareRoot())
        let expected: [Float] = [0.6, 0.8, 1, 0, 0, 0, 1, s, s, s]
        for (a, b) in zip(features.values, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(assembly.layer(ofFeature: 1), "conv1")
        XCTAssertEqual(assembly.layer(ofFeature: 4), "fc1")
        XCTAssertNil(assembly.layer(ofFeature: 5))
        XCTAssertEqual(assembly.countsPerLayer([0, 2, 3]).map(\.count), [1, 2])
    }

    func testStandardisationStatisticsComeFromTheFitSet() throws {
        let assembly = try LayerFeatureAssembly.fit(layers: [("conv1", conv)], normalization: .standardize)
        // conv1 column 0: mean 1.5, sd 1.5; column 1: mean 3, sd 1.
        let other = FeatureMatrix(rowArrays: [[3, 3]])
        let features = try assembly.apply([("conv1", other)])
        XCTAssertEqual(features.values[0], 1, accuracy: 1e-6)
        XCTAssertEqual(features.values[1], 0, accuracy: 1e-6)
    }

    func testLayersOutOfOrderAreRejected() throws {
        let assembly = try LayerFeatureAssembly.fit(layers: [("conv1", conv), ("fc1", fc)], normalization: .none)
        XCTAssertThrowsError(try assembly.apply([("fc1", fc), ("conv1", conv)]))
    }
}
