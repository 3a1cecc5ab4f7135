import AssayEngine
import AssayData
import AssayLearn
import AssaySupport
import AssayTensor
import Foundation
import XCTest

@testable import AssayStages

final class GroupRobustnessOperatorTests: XCTestCase {
    static func pipeline(target: Int = 64, cGrid: [Double] = [1, 0.1], keep: Double = 0.25) -> [PlanNode] {
        StageHarness.borderedSynthetic(train: 400, test: 400, correlation: 0.9) + [
            TrainingOperatorTests.trainNode(),
            StageHarness.node("features", "features", ["model": .null, "data": .null, "layers": ["all"], "pool": ["target": .int(target)], "normalize": "standardize", "batch-size": 64],
                              inputs: [("model", "erm", "model"), ("data.0", "bordered", "test"), ("data.1", "bordered", "train")], outputs: ["features"]),
            StageHarness.node("selected", "select", ["features": .null, "groups": .null, "method": "head2toe", "keep": .double(keep), "lambda": 0.05, "epochs": 40, "fit-fraction": 0.5, "balance": "subsample", "seed": 0],
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
        // Unnamed layers are recorded under the name of the layer they follow.
        XCTAssertEqual(features.layers.map(\.layer), ["conv1", "conv1.relu", "pool1", "fc1", "fc1.relu", "fc2"])
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

    func testSelectionHoldsOutTheRowsItFittedOnAndAllLayerDFRRetrainsOnlyOnTheRest() throws {
        let harness = try StageHarness()
        let reweighted = StageHarness.node(
            "reweighted", "retrain-last-layer",
            ["features": .null, "groups": .null, "layers": [], "penalty": "l1", "c-grid": .list([.double(1), .double(0.1)]), "fits": 3, "balance": "reweight", "seed": 0],
            inputs: [("features", "selected", "features"), ("groups", "groups", "groups")], outputs: ["head", "metrics"])
        let result = try harness.runSucceeding(Self.pipeline() + [reweighted])
        let features = try FeaturesArtifact.read(from: harness.url(result, "features", "features"), stage: "t")
        let selected = try FeaturesArtifact.read(from: harness.url(result, "selected", "features"), stage: "t")
        let groups = try GroupsArtifact.read(from: harness.url(result, "groups", "groups"), stage: "t")

        // The first split keeps only the held-out examples; the fitted ones are recorded, disjoint, and the two cover the split.
        let heldOut = try XCTUnwrap(selected.splits[0].rows), fitted = try XCTUnwrap(selected.splits[0].selectionRows)
        XCTAssertTrue(Set(heldOut).isDisjoint(with: fitted))
        XCTAssertEqual(Set(heldOut).union(fitted), Set(0..<400))
        XCTAssertEqual(selected.splits[0].features.rows, heldOut.count)
        let ids = try XCTUnwrap(groups.splits["test"]?.ids)
        for g in Set(ids) {
            let members = ids.indices.filter { ids[$0] == g }.count
            XCTAssertEqual(fitted.filter { ids[$0] == g }.count, members / 2, "half of group \(g), stratified")
        }
        // Each kept row is the same example's features, labels and groups follow it, and the other split stays whole.
        for (k, example) in heldOut.enumerated().prefix(50) {
            XCTAssertEqual(selected.splits[0].features.row(k), selected.sourceColumns.map { features.splits[0].features[example, $0] })
            XCTAssertEqual(selected.splits[0].labels[k], features.splits[0].labels[example])
        }
        XCTAssertEqual(try FeatureGroups.ids(for: selected.splits[0], in: groups, stage: "t"), heldOut.map { ids[$0] })
        XCTAssertNil(selected.splits[1].rows)
        XCTAssertEqual(selected.splits[1].features.rows, 400)

        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: harness.url(result, "selected", "metrics"))) as? [String: Any])
        XCTAssertEqual(report["fit-examples"] as? [Int], fitted)
        XCTAssertEqual(result.report(stage: "selected")?.metrics["held-out-rows"], Double(heldOut.count))

        // The retrainings state what they fitted on: all-layer DFR only the held-out rows, DFR the whole split.
        let allLayer = try XCTUnwrap(result.report(stage: "all-layer")?.metrics)
        XCTAssertEqual(allLayer["fit-rows"], Double(heldOut.count))
        XCTAssertEqual(allLayer["selection-rows"], Double(fitted.count))
        XCTAssertEqual(allLayer["final-fits"], 3)
        let dfr = try XCTUnwrap(result.report(stage: "dfr")?.metrics)
        XCTAssertEqual(dfr["fit-rows"], 400)
        XCTAssertEqual(dfr["selection-rows"], 0)
        // Reweighting fits once, on every held-out row.
        let reweightedMetrics = try XCTUnwrap(result.report(stage: "reweighted")?.metrics)
        XCTAssertEqual(reweightedMetrics["final-fits"], 1)
        XCTAssertEqual(reweightedMetrics["fit-rows"], Double(heldOut.count))
        XCTAssertGreaterThan(try XCTUnwrap(reweightedMetrics["worst-group-accuracy"]), 0.5)
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

    /// The stage writes its features from scratch files a run of rows at a time; the bytes are those of
    /// the whole-matrix computation (pool every batch, fit and apply the assembly, encode) done here.
    func testFeaturesStageWritesTheBytesOfTheWholeMatrixComputation() throws {
        let harness = try StageHarness()
        let result = try harness.runSucceeding(Array(Self.pipeline(target: 64).prefix(5)))
        let network = try ModelArtifact.read(from: harness.url(result, "erm", "model"), stage: "t")
        let layers = try FeaturesOperator.layerPaths(["all"], spec: network.spec, stage: "t")
        let pooling = try FeaturePooling(targetSize: 64)
        network.eval()
        var splits: [(name: String, dataset: String, labels: [Int32], blocks: [(name: String, features: FeatureMatrix)])] = []
        var classes: [String] = []
        for split in ["test", "train"] {
            let url = try harness.url(result, "bordered", split)
            let data = try DatasetArtifact.readDataset(from: url)
            classes = data.classNames
            var values = [[Float]](repeating: [], count: layers.count), widths = [Int](repeating: 0, count: layers.count)
            try Autograd.withoutGradients {
                try NetworkInference.forEachBatch(of: data, batchSize: 64, normalization: PixelNormalization(expectedBy: network.spec)) { x, _ in
                    let (_, recorded) = try network.forward(x, recording: layers)
                    for (i, path) in layers.enumerated() {
                        let a = try XCTUnwrap(recorded[path])
                        let shape: FeaturePooling.LayerShape = a.rank == 4 ? .map(channels: a.shape[1], height: a.shape[2], width: a.shape[3]) : .vector(a.count / a.shape[0])
                        let block = try pooling.pool(a.data, examples: a.shape[0], shape: shape)
                        widths[i] = block.columns
                        values[i] += block.values
                    }
                }
            }
            let blocks = layers.indices.map { (network.spec.tapName(ofPath: layers[$0]), FeatureMatrix(rows: data.count, columns: widths[$0], values: values[$0])) }
            splits.append((split, try Store.digest(ofFileAt: url).hex, data.labels, blocks))
        }
        let assembly = try LayerFeatureAssembly.fit(layers: splits[0].blocks, normalization: .standardize)
        let expected = FeaturesArtifact(
            layers: assembly.spans.map(LayerColumns.init), sourceColumns: Array(0..<assembly.featureCount), normalization: "standardize", classes: classes,
            splits: try splits.map { .init(name: $0.name, dataset: $0.dataset, features: try assembly.apply($0.blocks), labels: $0.labels) })
        XCTAssertEqual(try Data(contentsOf: harness.url(result, "features", "features")), try expected.encoded())
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
