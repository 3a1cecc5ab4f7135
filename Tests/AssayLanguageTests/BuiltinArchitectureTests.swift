@testable import AssayLanguage
import AssaySupport
import XCTest

final class BuiltinArchitectureTests: XCTestCase {
    func resolve(_ builtin: String, input: String, classes: Int) throws -> ModelSpec {
        let text = "assay: 1\nmodels:\n  m: { \(builtin): { input: \(input), classes: \(classes) } }\n"
        let result = checkText(text)
        XCTAssertEqual(result.diagnostics, [])
        return try XCTUnwrap(result.experiments.first?.models["m"])
    }

    func testParameterCountsEqualTorchvision() throws {
        XCTAssertEqual(try resolve("alexnet", input: "[3, 224, 224]", classes: 1000).parameterCount, 61_100_840)
        XCTAssertEqual(try resolve("resnet18", input: "[3, 224, 224]", classes: 1000).parameterCount, 11_689_512)
        XCTAssertEqual(try resolve("resnet50", input: "[3, 224, 224]", classes: 1000).parameterCount, 25_557_032)
        XCTAssertEqual(try resolve("squeezenet1_0", input: "[3, 224, 224]", classes: 1000).parameterCount, 1_248_424)
    }

    func testSegNetHasAboutTenTimesTheParametersOfSqueezeSegNet() throws {
        let segnet = try resolve("segnet", input: "[3, 360, 480]", classes: 12)
        let squeeze = try resolve("squeeze-segnet", input: "[3, 360, 480]", classes: 12)
        XCTAssertEqual(Double(segnet.parameterCount), 29.4e6, accuracy: 0.1e6)
        XCTAssertEqual(segnet.outputShape, [12, 360, 480])
        XCTAssertEqual(squeeze.outputShape, [12, 360, 480])
        XCTAssertGreaterThan(Double(segnet.parameterCount) / Double(squeeze.parameterCount), 9)
    }

    func testTensorNamesFollowTorchvision() throws {
        let alexnet = try resolve("alexnet", input: "[3, 224, 224]", classes: 1000).allTensors
        XCTAssertEqual(alexnet.first { $0.name == "features.0.weight" }?.shape, [64, 3, 11, 11])
        XCTAssertEqual(alexnet.first { $0.name == "classifier.1.weight" }?.shape, [4096, 9216])
        let resnet = try resolve("resnet18", input: "[3, 224, 224]", classes: 1000).allTensors.map(\.name)
        XCTAssertTrue(resnet.contains("layer4.1.conv2.weight"))
        XCTAssertTrue(resnet.contains("layer2.0.downsample.0.weight"))
        XCTAssertTrue(resnet.contains("layer2.0.downsample.1.running_var"))
        XCTAssertFalse(resnet.contains("layer1.0.downsample.0.weight"))
        let squeeze = try resolve("squeezenet1_0", input: "[3, 224, 224]", classes: 1000).allTensors
        XCTAssertEqual(squeeze.first { $0.name == "features.3.squeeze.weight" }?.shape, [16, 96, 1, 1])
        XCTAssertEqual(squeeze.first { $0.name == "classifier.1.weight" }?.shape, [1000, 512, 1, 1])
    }

    func testTorchvisionShapesThroughTheNetworks() throws {
        let squeeze = try resolve("squeezenet1_0", input: "[3, 224, 224]", classes: 1000)
        XCTAssertEqual(squeeze.layer(named: "features.2")?.outputShape, [96, 54, 54])  // 109 → 54 with ceil-mode pooling
        XCTAssertEqual(squeeze.layer(named: "features.12")?.outputShape, [512, 13, 13])
        let resnet = try resolve("resnet50", input: "[3, 224, 224]", classes: 1000)
        XCTAssertEqual(resnet.layer(named: "layer4.2")?.outputShape, [2048, 7, 7])
        XCTAssertEqual(resnet.layer(named: "layer4.1.conv2")?.outputShape, [512, 7, 7])
    }

    func testWidthMultiplierScalesHiddenChannelsButNotClasses() throws {
        let text = "assay: 1\nmodels:\n  m: { small-cnn: { input: [1, 28, 28], classes: 10, width: 0.5 } }\n"
        let spec = try XCTUnwrap(checkText(text).experiments.first?.models["m"])
        XCTAssertEqual(spec.layer(named: "conv1")?.outputShape, [16, 28, 28])
        XCTAssertEqual(spec.outputShape, [10])
    }

    func testModelSpecRoundTripsThroughCodable() throws {
        let spec = try resolve("squeeze-segnet", input: "[3, 64, 64]", classes: 11)
        let decoded = try JSONDecoder().decode(ModelSpec.self, from: JSONEncoder().encode(spec))
        XCTAssertEqual(decoded, spec)
        XCTAssertNil(spec.canonical["name"], "renaming a model must not change cache keys")
    }
}
