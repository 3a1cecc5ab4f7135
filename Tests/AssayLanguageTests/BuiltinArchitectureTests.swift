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

    func resolve(_ builtin: String, _ arguments: String) throws -> ModelSpec {
        let result = checkText("assay: 1\nmodels:\n  m: { \(builtin): { \(arguments) } }\n")
        XCTAssertEqual(result.diagnostics, [])
        return try XCTUnwrap(result.experiments.first?.models["m"])
    }

    /// The full-size counts (CamVid: 3×360×480, 12 classes) in the paper's configuration (1×1 conv10_D,
    /// no batch norm, 2×2 head) and in the one the scenes experiment trains (batch norms, 8×8 head).
    func testFullSizeSegNetHasTenTimesTheParametersOfSqueezeSegNetInBothConfigurations() throws {
        let camvid = "input: [3, 360, 480], classes: 12"
        let segnet = try resolve("segnet", camvid).parameterCount
        let paper = try resolve("squeeze-segnet", camvid).parameterCount
        let trained = try resolve("squeeze-segnet", camvid + ", batch-norm: true, head-kernel: 8").parameterCount
        XCTAssertEqual(segnet, 29_449_932)
        XCTAssertEqual(paper, 2_704_812)
        XCTAssertEqual(trained, 2_787_500)
        XCTAssertEqual(try resolve("squeeze-segnet", camvid + ", decoder-kernel: 3").parameterCount, 4_801_964)
        XCTAssertGreaterThanOrEqual(Double(segnet) / Double(paper), 10)
        XCTAssertGreaterThanOrEqual(Double(segnet) / Double(trained), 10)
    }

    func testBatchNormFollowsEveryConvButTheClassifierWhenAsked() throws {
        func batchNorms(_ spec: ModelSpec) -> [String] { spec.flattenedLayers.filter { $0.kind == .batchnorm }.map(\.path) }
        func convs(_ spec: ModelSpec) -> Int { spec.flattenedLayers.filter { $0.kind == .conv }.count }
        let size = "input: [3, 64, 64], classes: 5"
        let segnet = try resolve("segnet", size)
        XCTAssertEqual(batchNorms(segnet).count, convs(segnet) - 1, "SegNet's default, as the original")
        XCTAssertEqual(batchNorms(try resolve("segnet", size + ", batch-norm: false")), [])
        XCTAssertEqual(batchNorms(try resolve("squeeze-segnet", size)), [], "the paper's Squeeze-SegNet has none")
        let squeeze = try resolve("squeeze-segnet", size + ", batch-norm: true")
        XCTAssertEqual(batchNorms(squeeze).count, convs(squeeze), "the classifier is a transposed conv, so every conv has one")
        XCTAssertTrue(batchNorms(squeeze).contains("fire2.squeeze_bn"))
        XCTAssertTrue(batchNorms(squeeze).contains("fire2_D.expand3x3_bn"))
        XCTAssertTrue(batchNorms(squeeze).contains("conv10_D_bn"))
        // Each batch norm sits between its conv and that conv's ReLU.
        let fire = try XCTUnwrap(squeeze.layer(named: "fire3"))
        XCTAssertEqual(fire.children.map(\.kind), [.conv, .batchnorm, .relu, .conv, .batchnorm, .relu, .conv, .batchnorm, .relu])
    }

    /// Modules are addressed by path (state dicts, unit references), so no two layers of a
    /// built-in may share one; SegNet's decoder once named both its last two convs `conv1_1_D`.
    func testEveryBuiltinGivesEachLayerItsOwnPath() throws {
        for arch in BuiltinArchitecture.allCases {
            let spec = arch.task == .segmentation
                ? try resolve(arch.rawValue, input: "[3, 64, 64]", classes: 5)
                : try resolve(arch.rawValue, input: "[3, 224, 224]", classes: 10)
            let paths = spec.layers.map(\.path)
            XCTAssertEqual(Set(paths).count, paths.count, "\(arch.rawValue): \(paths.filter { p in paths.filter { $0 == p }.count > 1 })")
        }
    }

    func testSegNetDecoderMirrorsTheEncoderConvNames() throws {
        let convs = try resolve("segnet", input: "[3, 64, 64]", classes: 5).layers.filter { $0.kind == .conv }.map(\.path)
        XCTAssertEqual(convs.filter { $0.hasSuffix("_D") }, [
            "conv5_3_D", "conv5_2_D", "conv5_1_D", "conv4_3_D", "conv4_2_D", "conv4_1_D",
            "conv3_3_D", "conv3_2_D", "conv3_1_D", "conv2_2_D", "conv2_1_D", "conv1_2_D", "conv1_1_D",
        ])
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
