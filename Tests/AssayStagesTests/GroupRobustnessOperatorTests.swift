import AssayEngine
import AssayLearn
import AssaySupport
import Foundation
import XCTest

@testable import AssayStages

final class GroupRobustnessOperatorTests: XCTestCase {
    static func pipeline(target: Int = 64, cGrid: [Double] = [1, 0.1], keep: Double = 0.25) -> [PlanNode] {
        StageHarness.borderedSynthetic(train: 400, test: 400, correlation: 0.9) + [
            TrainingOperatorTests.trainNode(),
            StageHarness.node("features", "features", ["model": .null, "data": .null, "layers": ["all"], "pool": ["target": .int(target)], "normalize": "standardize", "batch-size": 64],
                              inputs: [("model", "erm", "model"), ("data.0", "bordered", "test"), ("data.1", "bordered", "train")], outputs: ["features"]),
            StageHarness.node("selected", "select", ["features": .null, "groups": .null, "method": "head2toe", "keep": .double(keep), "lambda": 0.05, "epochs": 40, "lr": 0.01, "seed": 0],
                              inputs: [("features", "features", "features"), ("groups", "groups", "groups")], outputs: ["features", "metrics"]),
            StageHarness.node("dfr", "retrain-last-layer", ["features": .null, "groups": .null, "layers": ["fc1"], "penalty": "l1", "c-grid": .list(cGrid.map { .double($0) }), "fits": 3, "balance": "subsample", "seed": 0],
                              inputs: [("features", "features", "features"), ("groups", "groups", "groups")], outputs: ["head", "metrics"]),
            StageHarness.node("all-layer", "retrain-last-layer", ["features": .null, "groups": .null, "layers": [], "penalty": "l1", "c-grid": .list(cGrid.map { .double($0) }), "fits": 3, "balance": "subsample", "seed": 0],
                              inputs: [("features", "selected", "features"), ("groups", "groups", "groups")], outputs: ["head", "metrics"]),
            TrainingOperatorTests.evaluateNode(),
            StageHarness.node("table", "report", ["compare": .null, "metrics": ["mean-accuracy", "worst-group-accuracy", "group-accuracy"]],
                              inputs: [("compare.0", "erm-eval", "metrics"), ("compare.1", "dfr", "metrics"), ("compare.2", "all-layer", "metrics")], outputs: ["report"]),
        ]
    }

    func testFeaturesPoolEachLayerToTheTargetAndRecordTheirLayers() throws {
        let harness = try StageHarness()
        let result = try harness.runSucceeding(Self.pipeline(target: 64))
        let features = try FeaturesArtifact.read(from: harness.url(result, "features", "features"), stage: "t")
        // conv1 / relu: C = 4 < 64 → p = 4 cells per side, 64 features; pool1 likewise; fc1 / relu: 16; fc2: 2.
        XCTAssertEqual(features.layers.map(\.layer), ["conv1", "1", "pool1", "fc1", "5", "fc2"])
        XCTAssertEqual(features.layers.map(\.count), [64, 64, 64, 16, 16, 2])
        XCTAssertEqual(features.splits.map(\.name), ["test", "train"])
        XCTAssertEqual(features.splits[0].features.rows, 400)
        XCTAssertEqual(features.columns, 226)

        let selected = try FeaturesArtifact.read(from: harness.url(result, "selected", "features"), stage: "t")
        XCTAssertEqual(selected.columns, Int((0.25 * 226).rounded(.up)))
        XCTAssertEqual(selected.layers.map(\.count).reduce(0, +), selected.columns)
        for span in selected.layers {
            let source = features.layers.first { $0.layer == span.layer }!
            XCTAssertTrue(selected.sourceColumns[span.range].allSatisfy(source.range.contains), "columns of \(span.layer) come from its block")
        }
    }

    func testRetrainingScoresHeldOutSplitAndReportTabulatesMethods() throws {
        let harness = try StageHarness()
        let result = try harness.runSucceeding(Self.pipeline())
        let head = try JSONDecoder().decode(RetrainedHead.self, from: Data(contentsOf: harness.url(result, "dfr", "head")))
        XCTAssertEqual(head.layers.map(\.layer), ["fc1"])
        XCTAssertEqual(head.model.classifier.featureCount, 16)
        XCTAssertTrue([1, 0.1].contains(head.chosenC))
        XCTAssertEqual(head.tuning.map(\.c), [1, 0.1])
        let metrics = try JSONDecoder().decode(ClassificationMetrics.self, from: Data(contentsOf: harness.url(result, "dfr", "metrics")))
        XCTAssertEqual(metrics.split, "train")
        XCTAssertEqual(metrics.examples, 400)
        XCTAssertEqual(metrics.worstGroupAccuracy, metrics.groups.map(\.accuracy).min())

        let table = String(decoding: try XCTUnwrap(result.report(stage: "table")?.tables["table"]), as: UTF8.self)
        let lines = table.split(separator: "\n")
        XCTAssertEqual(lines.count, 5, table)
        XCTAssertTrue(lines[0].hasPrefix("method") && lines[0].contains("worst-group-accuracy") && lines[0].contains("label=class-0, border=0"), table)
        XCTAssertEqual(lines.dropFirst(2).map { $0.split(separator: " ").first.map(String.init) }, ["erm-eval", "dfr", "all-layer"])
        let wga = result.report(stage: "dfr")!.metrics["worst-group-accuracy"]!
        XCTAssertTrue(lines[3].contains(String(format: "%.4f", wga)), table)
    }

    func testChangingTheCGridRerunsOnlyTheRetrainingAndAWarmRunNothing() throws {
        let harness = try StageHarness()
        _ = try harness.runSucceeding(Self.pipeline())
        XCTAssertEqual(try harness.runSucceeding(Self.pipeline()).executed, [])
        let regrid = try harness.runSucceeding(Self.pipeline(cGrid: [0.3]))
        XCTAssertEqual(Set(regrid.executed).subtracting(["table"]), ["dfr", "all-layer"])
        let retarget = try harness.runSucceeding(Self.pipeline(target: 16, cGrid: [0.3]))
        XCTAssertEqual(Set(retarget.executed).subtracting(["table"]), ["features", "selected", "dfr", "all-layer"])
    }

    func testFeaturesArtifactRoundTripsAndSelectsColumnsWithTheirLayers() throws {
        let matrix = FeatureMatrix(rows: 2, columns: 5, values: (0..<10).map(Float.init))
        let artifact = FeaturesArtifact(
            layers: [LayerColumns(layer: "a", start: 0, count: 2), LayerColumns(layer: "b", start: 2, count: 3)], sourceColumns: Array(0..<5),
            normalization: "l2", classes: ["x", "y"], splits: [.init(name: "val", dataset: "d", features: matrix, labels: [0, 1])])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("features-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try artifact.encoded().write(to: url)
        XCTAssertEqual(try FeaturesArtifact.read(from: url, stage: "t"), artifact)
        let picked = artifact.selectingColumns([1, 3, 4])
        XCTAssertEqual(picked.layers, [LayerColumns(layer: "a", start: 0, count: 1), LayerColumns(layer: "b", start: 1, count: 2)])
        XCTAssertEqual(picked.splits[0].features.values, [1, 3, 4, 6, 8, 9])
        XCTAssertEqual(try artifact.restricted(toLayers: ["b"], stage: "t").sourceColumns, [2, 3, 4])
        XCTAssertThrowsError(try artifact.restricted(toLayers: ["c"], stage: "t"))
    }

    func testWorstGroupAccuracyOnAHandMadeConfusionCase() throws {
        // Group 0: 3 of 4 right; group 1: 1 of 2 right; group 2: 2 of 2 right.
        let metrics = try ClassificationMetrics(split: "test", predicted: [0, 0, 0, 1, 1, 0, 1, 1], truth: [0, 0, 0, 0, 1, 1, 1, 1], classes: ["a", "b"],
                                                groups: [0, 0, 0, 0, 1, 1, 2, 2], groupNames: ["g0", "g1", "g2"], trainingCounts: [8, 1, 1])
        XCTAssertEqual(metrics.accuracy, 6.0 / 8)
        XCTAssertEqual(metrics.worstGroupAccuracy, 0.5)
        XCTAssertEqual(metrics.balancedAccuracy!, (0.75 + 0.5 + 1) / 3, accuracy: 1e-12)
        XCTAssertEqual(metrics.reweightedAccuracy!, (8 * 0.75 + 0.5 + 1) / 10, accuracy: 1e-12)
        XCTAssertEqual(metrics.confusion, [[3, 1], [1, 3]])
    }
}
