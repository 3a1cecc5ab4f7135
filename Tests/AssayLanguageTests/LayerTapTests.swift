@testable import AssayLanguage
import AssaySupport
import Foundation
import XCTest

/// Tap names (`fc1.relu` for an unnamed ReLU after `fc1`), `layers:` accepting them and indices,
/// and `penultimate` as the input of the final linear layer.
final class LayerTapTests: XCTestCase {
    func check(_ layers: String, stages: String = "") -> CheckResult {
        let text = """
            assay: 1
            datasets:
              blobs: { synthetic: { shape: [1, 8, 8], classes: 2 } }
            models:
              net:
            \(layers)
            stages:
              erm: { train: { model: net, data: blobs.train } }
            \(stages)
            """
        return Checker.check(source: SourceFile(path: "/tmp/taps.yaml", text: text))
    }

    func model(_ layers: String, stages: String = "") throws -> (ModelSpec, CheckResult) {
        let result = check(layers, stages: stages)
        let spec = try XCTUnwrap(result.experiments.first?.models.values.first, "\(result.diagnostics)")
        return (spec, result)
    }

    func testUnnamedLayersAreNamedAfterTheLayerTheyFollow() throws {
        let (spec, _) = try model("""
                - relu
                - conv1: { conv: { out: 2, kernel: 3, pad: 1 } }
                - relu
                - dropout
                - relu
                - flatten
                - fc1: { linear: 4 }
                - relu
                - linear: 2
            """)
        XCTAssertEqual(spec.tapNames, ["relu", "conv1", "conv1.relu", "conv1.dropout", "conv1.relu2", "conv1.flatten", "fc1", "fc1.relu", "fc1.linear"])
        XCTAssertEqual(spec.layers.map(\.path), ["0", "conv1", "2", "3", "4", "5", "fc1", "7", "8"], "module paths (and weight names) stay as they were")
        XCTAssertEqual(spec.layer(tapped: "fc1.relu")?.path, "7")
        XCTAssertEqual(spec.layer(tapped: "7")?.path, "7")
        XCTAssertEqual(spec.tapName(ofPath: "7"), "fc1.relu")
    }

    func testPenultimateIsTheInputOfTheFinalLinearLayer() throws {
        XCTAssertEqual(try model("    - flatten\n    - fc1: { linear: 4 }\n    - relu\n    - dropout\n    - fc2: { linear: 2 }").0.penultimateLayer?.kind, .dropout)
        XCTAssertEqual(try model("    - conv1: { conv: { out: 2 } }\n    - flatten\n    - fc: { linear: 2 }").0.penultimateLayer?.kind, .flatten)
        XCTAssertNil(try model("    - flatten\n    - linear: 2").0.featureLayers(["all"]).first { $0.kind == .flatten })
        let (spec, _) = try model("    - flatten\n    - fc1: { linear: 4 }\n    - relu\n    - fc2: { linear: 2 }")
        XCTAssertEqual(try spec.featureLayers(["penultimate"]).map { spec.tapName(ofPath: $0.path) }, ["fc1.relu"])
    }

    func testFeatureAndRetrainLayersAcceptTapNamesAndIndicesAndRecordTapNames() throws {
        let layers = "    - flatten\n    - fc1: { linear: 4 }\n    - relu\n    - fc2: { linear: 2 }"
        let (_, result) = try model(layers, stages: """
              feats: { features: { model: erm, data: [blobs.test], layers: [fc1.relu, 2] } }
              groups-free: { retrain-last-layer: { features: feats, groups: g, layers: ["2"] } }
            groups:
              g: { data: blobs, by: [label] }
            """)
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics)")
        let retrain = try XCTUnwrap(result.experiments.first?.stages.first { $0.id == "groups-free" })
        XCTAssertEqual(retrain.parameters["layers"], ["fc1.relu"])
        let bad = check(layers, stages: "  feats: { features: { model: erm, data: [blobs.test], layers: [fc2.relu] } }")
        XCTAssertEqual(bad.diagnostics.map(\.id), ["unknown-layer"])
    }
}

/// Shared result-changing code: its version reaches exactly the stages of the kinds using it.
final class SharedCodeTests: XCTestCase {
    func testABumpedSharedVersionEntersTheParametersOfTheKindsThatUseItOnly() throws {
        let text = """
            assay: 1
            datasets:
              blobs: { synthetic: { shape: [1, 8, 8], classes: 2 } }
            models:
              net: [flatten, { linear: 2 }]
            stages:
              erm: { train: { model: net, data: blobs.train } }
              accuracy: { evaluate: { model: erm, data: blobs.test } }
            """
        let source = SourceFile(path: "/tmp/shared.yaml", text: text)
        let baseline = try XCTUnwrap(Checker.check(source: source).experiments.first)
        // The optimiser at version 1 adds nothing (no key changed); the convolution is at version 4.
        let convolution: [String: CanonicalValue] = ["convolution": .int(SharedCode.convolution.version)]
        XCTAssertEqual(baseline.stages.first { $0.id == "erm" }?.parameters["code"], .map(convolution), "version 1 adds nothing: no key changed")
        XCTAssertTrue(OperatorRegistry.standard.signature("train")!.sharedCode.contains(.optimizer))
        XCTAssertTrue(OperatorRegistry.standard.signature("retrain-last-layer")!.sharedCode.contains(.logisticSolver))

        var bumped = SharedCode.optimizer
        bumped.version = 2
        let registry = OperatorRegistry(
            operators: OperatorRegistry.standard.operators.map { op in
                var op = op
                op.sharedCode = op.sharedCode.map { $0.name == bumped.name ? bumped : $0 }
                return op
            },
            declarations: OperatorRegistry.standard.declarations, resources: OperatorRegistry.standard.resources, executor: OperatorRegistry.standard.executor)
        let rerun = try XCTUnwrap(Checker.check(source: source, registry: registry).experiments.first)
        XCTAssertEqual(rerun.stages.first { $0.id == "erm" }?.parameters["code"], .map(convolution.merging(["optimizer": 2]) { $1 }))
        XCTAssertEqual(rerun.stages.first { $0.id == "accuracy" }?.parameters, baseline.stages.first { $0.id == "accuracy" }?.parameters)
    }

    /// Every kind that runs a network forward or backward inherits the convolution's version.
    func testTheConvolutionVersionReachesEveryKindThatRunsANetwork() {
        let users = Set(OperatorRegistry.standard.operators.filter { $0.sharedCode.contains(.convolution) }.map(\.name))
        XCTAssertEqual(users, ["train", "evaluate", "features", "visualize", "attack", "circuit", "segmentation-train", "segmentation-evaluate"])
        XCTAssertGreaterThan(SharedCode.convolution.version, 1, "oneDNN convolutions changed the bits: the version must enter the keys")
    }
}
