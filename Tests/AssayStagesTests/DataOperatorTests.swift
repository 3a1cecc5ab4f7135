import AssayData
import AssayEngine
import AssayLanguage
import AssayPlanner
import AssayStages
import AssaySupport
import Foundation
import XCTest

final class DataOperatorTests: XCTestCase {
    func testInjectedBorderMatchesDeclaredCorrelationAndGroupsBalanceToSmallest() throws {
        let harness = try StageHarness()
        let result = try harness.runSucceeding(StageHarness.borderedSynthetic(train: 400, test: 200, correlation: 0.9))
        let train = try harness.dataset(result, "bordered", "train")
        XCTAssertEqual(train.count, 400)
        let border = try train.attribute(named: "border").values
        let aligned = zip(border, train.labels).filter { Int($0) == Int($1) }.count
        XCTAssertEqual(Double(aligned) / 400, 0.9, accuracy: 0.01)
        XCTAssertEqual(result.report(stage: "bordered")?.metrics["test.aligned-fraction"] ?? -1, 0.5, accuracy: 0.01)

        let groups = try JSONDecoder().decode(GroupsArtifact.self, from: Data(contentsOf: harness.url(result, "groups", "groups")))
        let split = try XCTUnwrap(groups.splits["train"])
        XCTAssertEqual(split.counts.reduce(0, +), 400)
        XCTAssertEqual(groups.groupNames.count, 4)
        let balanced = try XCTUnwrap(split.balanced)
        let smallest = try XCTUnwrap(split.counts.min())
        XCTAssertEqual(balanced.count, 4 * smallest)
        for g in 0..<4 { XCTAssertEqual(balanced.filter { split.ids[$0] == Int32(g) }.count, smallest) }
    }

    func testSameSeedGivesIdenticalBytesInAFreshStore() throws {
        let first = try StageHarness(), second = try StageHarness()
        let a = try first.runSucceeding(StageHarness.borderedSynthetic())
        let b = try second.runSucceeding(StageHarness.borderedSynthetic())
        for (stage, output) in [("synthetic", "train"), ("bordered", "train"), ("bordered", "test"), ("groups", "groups")] {
            XCTAssertEqual(a.report(stage: stage)?.outputs[output], b.report(stage: stage)?.outputs[output], "\(stage).\(output)")
        }
        let c = try StageHarness().runSucceeding(StageHarness.borderedSynthetic(seed: 1))
        XCTAssertNotEqual(a.report(stage: "bordered")?.outputs["train"], c.report(stage: "bordered")?.outputs["train"])
    }

    func testRelabelNumbersNewClassesInTheOrderWrittenAsTheCheckerLists() throws {
        // `b` is written first although `a` sorts first: class 0 must be `b` for the checker and the data alike.
        let text = """
            assay: 1
            datasets:
              blobs: { synthetic: { generator: blobs, classes: 3, shape: [1, 6, 6], samples: { train: 60, test: 30 }, seed: 0 } }
              merged:
                from: blobs
                label: { relabel: { class-2: b, class-0: a, class-1: a } }
            models:
              linear: [flatten, { fc: { linear: 2 } }]
            stages:
              fit: { train: { model: linear, data: merged.train, epochs: 1 } }
            """
        let harness = try StageHarness()
        let file = harness.directory.appendingPathComponent("relabel.yaml")
        // The checker's class list, as its help for an unknown class shows it.
        let probeText = text.replacingOccurrences(of: "\nmodels:", with: "\n  probe:\n    from: merged\n    label: { subset: [zzz, b] }\nmodels:")
        let probe = Checker.check(source: SourceFile(path: file.path, text: probeText))
        let unknown = try XCTUnwrap(probe.diagnostics.first { $0.id == "unknown-class" }, "\(probe.diagnostics.map(\.message))")
        XCTAssertTrue(unknown.help.contains { $0.hasSuffix(": b, a") }, "\(unknown.help)")

        let checked = Checker.check(source: SourceFile(path: file.path, text: text))
        XCTAssertFalse(checked.hasErrors, "\(checked.diagnostics.map(\.message))")
        let plan = try Planner(sources: SourceDigests(cacheFile: nil)).lower(try XCTUnwrap(checked.experiments.first))
        let result = try harness.engine.run(plan, options: RunOptions(jobs: 1, threadsPerStage: 1, recordHistory: false))
        let derive = try XCTUnwrap(result.stages.first { $0.stage.hasPrefix("datasets.merged") && $0.outputs["train"] != nil })
        let merged = try harness.dataset(result, derive.stage, "train")
        let source = try harness.dataset(result, try XCTUnwrap(result.stages.first { $0.stage.hasPrefix("datasets.blobs") }).stage, "train")
        XCTAssertEqual(merged.classNames, ["b", "a"])
        XCTAssertEqual(merged.labels, source.labels.map { $0 == 2 ? 0 : 1 })
    }

    func testSplitCarvesValidationAndBinaryLabelsRelabel() throws {
        let harness = try StageHarness()
        let nodes = StageHarness.borderedSynthetic(train: 300, test: 100).prefix(1) + [
            StageHarness.node("carved", "split", ["splits": ["val": ["from": "train", "size": 100]], "seed": 3],
                              inputs: [("source.train", "synthetic", "train"), ("source.test", "synthetic", "test")], outputs: ["test", "train", "val"]),
            StageHarness.node("binary", "derive", ["label": ["binary": ["positive": ["class-1"], "names": ["no", "yes"]]], "attribute": .null, "seed": 0],
                              inputs: [("source.train", "carved", "train"), ("source.val", "carved", "val"), ("source.test", "carved", "test")],
                              outputs: ["test", "train", "val"]),
        ]
        let result = try harness.runSucceeding(Array(nodes))
        let train = try harness.dataset(result, "carved", "train"), val = try harness.dataset(result, "carved", "val")
        XCTAssertEqual([train.count, val.count], [200, 100])
        XCTAssertEqual(try harness.dataset(result, "binary", "val").classNames, ["no", "yes"])
    }

    func testImageFolderLoadsWaterbirdsLayoutAndNamesTheCSVLineOfAMissingImage() throws {
        let harness = try StageHarness()
        let root = harness.directory.appendingPathComponent("birds")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("img"), withIntermediateDirectories: true)
        var csv = "img_filename,y,place,split\n"
        for i in 0..<12 {
            let image = RasterImage(width: 10, height: 8, channels: 3, fill: UInt8(20 * i))
            try PNGCodec.write(image, to: root.appendingPathComponent("img/\(i).png"))
            csv += "img/\(i).png,\(i % 2),\((i / 2) % 2),\(i % 3)\n"
        }
        try csv.write(to: root.appendingPathComponent("metadata.csv"), atomically: true, encoding: .utf8)
        let parameters: CanonicalValue = [
            "root": .string(root.path), "metadata": "metadata.csv", "image-column": "img_filename", "label-column": "y", "split-column": "split",
            "splits": ["train": "0", "val": "1", "test": "2"], "attributes": ["place"], "classes": ["landbird", "waterbird"], "size": [6, 5], "channels": 3,
        ]
        let load = StageHarness.node("birds", "load-image-folder", parameters, outputs: ["test", "train", "val"], locals: ["path:root": root.path])
        let result = try harness.runSucceeding([load])
        let train = try harness.dataset(result, "birds", "train")
        XCTAssertEqual(train.count, 4)
        XCTAssertEqual(train.shape, SampleShape(channels: 3, height: 6, width: 5))
        XCTAssertEqual(train.labels, [0, 1, 0, 1])
        XCTAssertEqual(try train.attribute(named: "place").values, [0, 1, 1, 0])  // rows 0, 3, 6, 9

        try FileManager.default.removeItem(at: root.appendingPathComponent("img/7.png"))
        let broken = StageHarness.node("birds", "load-image-folder", parameters.mapValue.map { var m = $0; m["metadata"] = "metadata.csv"; m["size"] = [6, 6]; return .map(m) }!,
                                       outputs: ["test", "train", "val"], locals: ["path:root": root.path])
        let failed = try harness.run([broken])
        let message = try XCTUnwrap(StageHarness.failure(failed, "birds"))
        XCTAssertTrue(message.contains("metadata.csv:9") && message.contains("img/7.png"), message)
    }

    /// Through the checker and planner, as `assay run` does: `channels: 1` is an integer in the
    /// parameters, and the loader must honour it (it once read a string and always loaded RGB).
    func testImageFolderChannelsOneLoadsGreyImagesAsChecked() throws {
        let harness = try StageHarness()
        let root = harness.directory.appendingPathComponent("birds")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var csv = "img_filename,y,split\n"
        for i in 0..<6 {
            try PNGCodec.write(RasterImage(width: 5, height: 4, channels: 3, fill: UInt8(30 * i)), to: root.appendingPathComponent("\(i).png"))
            csv += "\(i).png,\(i % 2),\(i % 3)\n"
        }
        try csv.write(to: root.appendingPathComponent("metadata.csv"), atomically: true, encoding: .utf8)
        for channels in [1, 3] {
            let text = """
                assay: 1
                datasets:
                  birds:
                    image-folder: { root: birds, classes: [landbird, waterbird], size: [4, 5], channels: \(channels) }
                models:
                  linear: [flatten, { linear: 2 }]
                stages:
                  erm: { train: { model: linear, data: birds.train, epochs: 1, batch-size: 2 } }
                """
            let experiment = try harness.check(text)
            XCTAssertEqual(experiment.models.values.first?.inputShape, [channels, 4, 5])
            let result = try harness.runExperiment(text)
            for report in result.stages {
                if case .failed(let message) = report.status { XCTFail("channels \(channels): stage \(report.stage) failed: \(message)") }
            }
            let load = try XCTUnwrap(result.stages.first { $0.stage.hasPrefix("datasets.birds") }?.stage)
            let train = try harness.dataset(result, load, "train")
            XCTAssertEqual(train.shape, SampleShape(channels: channels, height: 4, width: 5))
            XCTAssertEqual(train.pixels.count, 2 * channels * 4 * 5)
        }
    }

    func testFashionMNISTLimitKeepsTheFirstExamples() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"))
        let harness = try StageHarness()
        let load = StageHarness.node("fmnist", "load-fashion-mnist", ["path": "/usr/share/datasets/fashion-mnist", "limit": ["train": 50, "test": 20]],
                                     outputs: ["test", "train"], locals: ["path:path": "/usr/share/datasets/fashion-mnist"])
        let result = try harness.runSucceeding([load])
        let test = try harness.dataset(result, "fmnist", "test")
        XCTAssertEqual(test.count, 20)
        XCTAssertEqual(test.labels, Array(try FashionMNIST.load(.test).labels.prefix(20)))
    }

    func testComposedScenesLabelItemPixelsWithTheirClass() throws {
        let harness = try StageHarness()
        let items = StageHarness.borderedSynthetic(train: 40, test: 20)[0]
        let scenes = StageHarness.node("scenes", "compose-scenes", [
            "items": .null, "per-canvas": [1, 2], "canvas": [24, 24], "overlap": "avoid", "background": "black", "threshold": 0.3,
            "samples": ["train": 10, "test": 5], "seed": 0,
        ], inputs: [("items.train", "synthetic", "train"), ("items.test", "synthetic", "test")], outputs: ["test", "train"])
        let result = try harness.runSucceeding([items, scenes])
        let train = try harness.dataset(result, "scenes", "train")
        XCTAssertEqual(train.count, 10)
        XCTAssertEqual(train.shape, SampleShape(channels: 1, height: 24, width: 24))
        let masks = try XCTUnwrap(train.masks)
        XCTAssertEqual(masks.classNames, ["background", "class-0", "class-1"])
        // Black background: every labelled pixel is bright, every background pixel dark.
        for (i, label) in masks.pixels.enumerated() where label > 0 { XCTAssertGreaterThanOrEqual(train.pixels[i], 76) }
        XCTAssertTrue(masks.pixels.contains { $0 > 0 })
    }

    func testCamVidFolderLoadsImagesWithTheirLabelMasks() throws {
        let harness = try StageHarness()
        let root = harness.directory.appendingPathComponent("camvid")
        for split in ["train", "val", "test"] {
            for folder in [split, split + "annot"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            for i in 0..<2 {
                try PNGCodec.write(RasterImage(width: 6, height: 4, channels: 3, fill: UInt8(40 * i)), to: root.appendingPathComponent("\(split)/\(i).png"))
                var label = RasterImage(width: 6, height: 4, channels: 1, fill: 0)
                for x in 0..<6 { label.pixels[x] = UInt8(x % 3) }
                try PNGCodec.write(label, to: root.appendingPathComponent("\(split)annot/\(i).png"))
            }
        }
        let load = StageHarness.node("camvid", "load-camvid", ["root": .string(root.path), "classes": ["sky", "road", "car"], "void": 11, "size": [4, 6]],
                                     outputs: ["test", "train", "val"], locals: ["path:root": root.path])
        let result = try harness.runSucceeding([load])
        let val = try harness.dataset(result, "camvid", "val")
        XCTAssertEqual(val.count, 2)
        XCTAssertEqual(Array(try XCTUnwrap(val.mask(at: 1)).prefix(6)), [0, 1, 2, 0, 1, 2])
    }
}
