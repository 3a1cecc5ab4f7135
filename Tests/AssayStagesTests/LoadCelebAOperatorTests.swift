import AssayData
import AssayEngine
import AssayLanguage
import AssayPlanner
import AssayStages
import AssaySupport
import Foundation
import XCTest

/// A CelebA-layout folder (JPEGs in `img_align_celeba/`, the two listings as distributed) loaded
/// through the checker, planner and engine, as `assay run` does.
final class LoadCelebAOperatorTests: XCTestCase {
    /// 24 faces of 18 × 22: Blond_Hair = i mod 2 (a bright top band), Male = ⌊i/2⌋ mod 2, partition = ⌊i/4⌋ mod 3.
    static func makeFolder(in directory: URL) throws -> URL {
        let root = directory.appendingPathComponent("celeba")
        let images = root.appendingPathComponent("img_align_celeba")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        var attributes = ["24", "Smiling Blond_Hair Male Young "], partitions: [String] = []
        for i in 0 ..< 24 {
            let (blond, male, partition) = (i % 2, (i / 2) % 2, (i / 4) % 3)
            var image = RasterImage(width: 18, height: 22, channels: 3, fill: male == 1 ? 40 : 110)
            for r in 2 ..< 8 { for c in 0 ..< 18 { for k in 0 ..< 3 { image.pixels[(r * 18 + c) * 3 + k] = blond == 1 ? 240 : 20 } } }
            let name = String(format: "%06d.jpg", i + 1)
            try JPEGCodec.write(image, to: images.appendingPathComponent(name), quality: 95)
            attributes.append("\(name) " + [1, blond, male, i % 3 == 0 ? 1 : 0].map { $0 == 1 ? " 1" : "-1" }.joined(separator: " "))
            partitions.append("\(name) \(partition)")
        }
        try Data((attributes.joined(separator: "\r\n") + "\r\n").utf8).write(to: root.appendingPathComponent("list_attr_celeba.txt"))
        try Data((partitions.joined(separator: "\r\n") + "\r\n").utf8).write(to: root.appendingPathComponent("list_eval_partition.txt"))
        return root
    }

    static let experiment = """
        assay: 1
        datasets:
          faces:
            celeba: { root: celeba, target: Blond_Hair, attributes: [Male], crop: [18, 18], size: [8, 8] }
        groups:
          hair-by-sex: { data: faces, by: [label, Male], balance: subsample }
        models:
          linear: [flatten, { linear: 2 }]
        stages:
          erm:      { train: { model: linear, data: faces.train, epochs: 3, lr: 0.05, seed: 0 } }
          erm-eval: { evaluate: { model: erm, data: faces.test, groups: hair-by-sex } }
        """

    func testACelebAExperimentRunsEndToEndFromTheLanguage() throws {
        let harness = try StageHarness()
        let root = try Self.makeFolder(in: harness.directory)
        let result = try harness.runExperiment(Self.experiment)
        XCTAssertEqual(result.failed, [], "\(result.stages.map { "\($0.stage): \($0.status)" })")
        XCTAssertEqual(result.report(stage: "datasets.faces")?.metrics["train.examples"], 8)
        let train = try harness.dataset(result, "datasets.faces", "train")
        XCTAssertEqual(train.classNames, ["not-Blond_Hair", "Blond_Hair"])
        XCTAssertEqual(train.labels, [0, 1, 0, 1, 0, 1, 0, 1])                           // images 1–4 and 13–16
        XCTAssertEqual(try train.attribute(named: "Male").values, [0, 0, 1, 1, 0, 0, 1, 1])
        // Image 1, centre-cropped to 18 × 18 and resized to 8 × 8.
        let decoded = try JPEGCodec.decode(Data(contentsOf: root.appendingPathComponent("img_align_celeba/000001.jpg")), channels: 3, path: "")
        let expected = Resampling.bilinear(Resampling.crop(decoded, top: 2, left: 0, height: 18, width: 18), height: 8, width: 8)
        XCTAssertEqual(Array(train.image(at: 0)), expected.planar)
        XCTAssertNotNil(result.report(stage: "erm-eval")?.metrics["worst-group-accuracy"])

        // The second run is a cache hit; a file in `root` that the source does not read changes nothing.
        try Data("notes".utf8).write(to: root.appendingPathComponent("README.txt"))
        let again = try harness.runExperiment(Self.experiment)
        XCTAssertEqual(again.executed, [])
        // Editing the partition file reloads.
        let partition = root.appendingPathComponent("list_eval_partition.txt")
        let text = try String(contentsOf: partition, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "000001.jpg 0", with: "000001.jpg 2").utf8).write(to: partition)
        let edited = try harness.runExperiment(Self.experiment)
        XCTAssertTrue(edited.executed.contains("datasets.faces"), "\(edited.executed)")
        XCTAssertEqual(edited.report(stage: "datasets.faces")?.metrics["train.examples"], 7)
    }

    func testAMissingImageNamesTheAttributeFileLine() throws {
        let harness = try StageHarness()
        let root = try Self.makeFolder(in: harness.directory)
        try FileManager.default.removeItem(at: root.appendingPathComponent("img_align_celeba/000006.jpg"))
        let result = try harness.run(try Planner(sources: SourceDigests(cacheFile: nil)).lower(harness.check(Self.experiment)).nodes)
        let message = try XCTUnwrap(StageHarness.failure(result, "datasets.faces"))
        XCTAssertTrue(message.contains("list_attr_celeba.txt:8") && message.contains("000006.jpg"), message)
    }

    func testAnUndecodableImageNamesItsLineAndTheLoadLeavesNoOutput() throws {
        let harness = try StageHarness()
        let root = try Self.makeFolder(in: harness.directory)
        try Data("broken".utf8).write(to: root.appendingPathComponent("img_align_celeba/000017.jpg"))
        let result = try harness.run(try Planner(sources: SourceDigests(cacheFile: nil)).lower(harness.check(Self.experiment)).nodes)
        let message = try XCTUnwrap(StageHarness.failure(result, "datasets.faces"))
        XCTAssertTrue(message.contains("list_attr_celeba.txt:19") && message.contains("000017.jpg"), message)
    }
}
