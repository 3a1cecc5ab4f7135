import AssayData
import AssayEngine
import AssayLanguage
import AssayPlanner
import AssayStages
import Foundation
import XCTest

/// A Waterbirds-layout experiment (image folder + `metadata.csv` with `img_filename, y, place,
/// split`) on a tiny generated folder, through the checker, planner and engine.
final class GroupRobustnessWaterbirdsLayoutTests: XCTestCase {
    static let experiment = """
        assay: 1
        name: waterbirds-tiny
        datasets:
          birds:
            image-folder: { root: birds, attributes: [place], classes: [landbird, waterbird], size: [8, 8] }
        groups:
          by-place: { data: birds, by: [label, place], balance: subsample }
        models:
          cnn:
            - conv1: { conv: { out: 4, kernel: 3, pad: 1 } }
            - relu
            - pool1: { maxpool: 2 }
            - flatten
            - fc1: { linear: 16 }
            - relu
            - fc2: { linear: 2 }
        stages:
          erm:      { train: { model: cnn, data: birds.train, epochs: 3, lr: 0.01, seed: 0 } }
          erm-eval: { evaluate: { model: erm, data: birds.test, groups: by-place } }
          features: { features: { model: erm, data: [birds.val, birds.test] } }
          dfr:      { retrain-last-layer: { features: features, groups: by-place, fits: 2 } }
          table:    { report: { compare: [erm-eval, dfr] } }
        """

    func testWaterbirdsLayoutRunsEndToEnd() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-birds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let images = directory.appendingPathComponent("birds/images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        // y = i mod 2, place = ⌊i/2⌋ mod 2, split = ⌊i/4⌋ mod 3: every split holds every group 4 times.
        var csv = "img_filename,y,place,split\n"
        for i in 0..<48 {
            let (y, place, split) = (i % 2, (i / 2) % 2, (i / 4) % 3)
            var image = RasterImage(width: 8, height: 8, channels: 3, fill: place == 1 ? 60 : 0)
            for r in 2..<6 { for c in 2..<6 { image.pixels[(r * 8 + c) * 3 + (y == 1 ? 2 : 0)] = 255 } }
            try PNGCodec.write(image, to: images.appendingPathComponent("\(i).png"))
            csv += "images/\(i).png,\(y),\(place),\(split)\n"
        }
        try csv.write(to: directory.appendingPathComponent("birds/metadata.csv"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("waterbirds.yaml")
        try Self.experiment.write(to: file, atomically: true, encoding: .utf8)

        let checked = Checker.check(path: file.path)
        XCTAssertFalse(checked.hasErrors, "\(checked.diagnostics)")
        let experiment = try XCTUnwrap(checked.experiments.first)
        let plan = try Planner(sources: SourceDigests(cacheFile: nil)).lower(experiment)
        let engine = Engine(store: try Store(root: directory.appendingPathComponent(".assay")), operators: OperatorCatalog.standard)
        let result = try engine.run(plan, options: RunOptions(threadsPerStage: 2, recordHistory: false))
        XCTAssertEqual(result.failed, [], "\(result.stages.map { "\($0.stage): \($0.status)" })")
        XCTAssertEqual(result.report(stage: "datasets.birds")?.metrics["val.examples"], 16)
        let dfr = try XCTUnwrap(result.report(stage: "dfr")?.metrics["worst-group-accuracy"])
        XCTAssertGreaterThan(dfr, 0.5, "the label square is visible in every image")
        XCTAssertNotNil(result.report(stage: "table")?.tables["table"])
    }
}
