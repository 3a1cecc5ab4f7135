import AssayData
import AssayEngine
import AssayLanguage
import AssayPlanner
import AssayStages
import AssaySupport
import Foundation
import XCTest

/// `image-folder:` on Waterbirds' `metadata.csv` exactly as distributed (Sagawa et al., 2020):
/// columns `img_id, img_filename, y, split, place, place_filename`, images in `NNN.Class_Name/`
/// folders, JPEG and PNG mixed, through the checker, planner and engine.
final class LoadImageFolderOperatorTests: XCTestCase {
    static let classes = ["001.Black_footed_Albatross", "014.Indigo_Bunting", "086.Pacific_Loon", "107.Common_Raven"]

    /// 24 birds of 20 × 16 and 14 × 12; y = 1 for the loon and the albatross (water birds).
    static func makeFolder(in directory: URL) throws -> URL {
        let root = directory.appendingPathComponent("waterbird_complete95_forest2water2")
        var csv = "img_id,img_filename,y,split,place,place_filename\n"
        for i in 0 ..< 24 {
            let folder = classes[i % 4]
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            let bird = folder.split(separator: ".")[1]
            let name = "\(folder)/\(bird)_00\(10 + i)_\(700 + 13 * i)." + (i % 3 == 0 ? "png" : "jpg")
            var image = RasterImage(width: i % 2 == 0 ? 20 : 14, height: i % 2 == 0 ? 16 : 12, channels: 3, fill: UInt8(9 * i))
            for k in 0 ..< image.pixels.count where k % 7 == 0 { image.pixels[k] = UInt8(255 - i) }
            if i % 3 == 0 { try PNGCodec.write(image, to: root.appendingPathComponent(name)) } else { try JPEGCodec.write(image, to: root.appendingPathComponent(name), quality: 92) }
            let y = folder.hasPrefix("001") || folder.hasPrefix("086") ? 1 : 0
            csv += "\(i + 1),\(name),\(y),\((i / 4) % 3),\((i / 2) % 2),/\(i % 2 == 0 ? "b/bamboo_forest" : "o/ocean")/00000\(i).jpg\n"
        }
        try csv.write(to: root.appendingPathComponent("metadata.csv"), atomically: true, encoding: .utf8)
        return root
    }

    static let experiment = """
        assay: 1
        datasets:
          birds:
            image-folder: { root: waterbird_complete95_forest2water2, attributes: [place], classes: [landbird, waterbird], size: [10, 12] }
        groups:
          by-place: { data: birds, by: [label, place] }
        models:
          linear: [flatten, { linear: 2 }]
        stages:
          erm: { train: { model: linear, data: birds.train, epochs: 1 } }
          erm-eval: { evaluate: { model: erm, data: birds.test, groups: by-place } }
        """

    func testTheDistributedMetadataLayoutLoadsWithMixedJPEGAndPNG() throws {
        let harness = try StageHarness()
        let root = try Self.makeFolder(in: harness.directory)
        let result = try harness.runExperiment(Self.experiment)
        XCTAssertEqual(result.failed, [], "\(result.stages.map { "\($0.stage): \($0.status)" })")
        let train = try harness.dataset(result, "datasets.birds", "train")
        XCTAssertEqual(train.count, 8)                                        // rows 1–4 and 13–16
        XCTAssertEqual(train.labels, [1, 0, 1, 0, 1, 0, 1, 0])
        XCTAssertEqual(try train.attribute(named: "place").values, [0, 0, 1, 1, 0, 0, 1, 1])
        XCTAssertEqual(train.shape, SampleShape(channels: 3, height: 10, width: 12))
        // Row 2 is a JPEG in `014.Indigo_Bunting/`, resized.
        let file = root.appendingPathComponent("014.Indigo_Bunting/Indigo_Bunting_0011_713.jpg")
        let decoded = try JPEGCodec.decode(Data(contentsOf: file), channels: 3, path: file.path)
        XCTAssertEqual(Array(train.image(at: 1)), Resampling.bilinear(decoded, height: 10, width: 12).planar)
    }

    /// The streamed load writes the bytes of decoding every image in memory and writing the data set
    /// (what `load-image-folder` did before it streamed), so its version and cached results stand.
    func testStreamedOutputHasTheBytesOfTheInMemoryLoad() throws {
        let harness = try StageHarness()
        let root = try Self.makeFolder(in: harness.directory)
        let result = try harness.runExperiment(Self.experiment)
        let table = try CSVTable.read(root.appendingPathComponent("metadata.csv"))
        let columns = try table.columns(["img_filename", "y", "split", "place"])
        for (k, split) in ["train", "val", "test"].enumerated() {
            let rows = table.rows.indices.filter { table.string(row: $0, column: columns[2]) == String(k) }
            let decoded = try ImageBatchDecoder.decode(rows.map { root.appendingPathComponent(table.string(row: $0, column: columns[0])) },
                                                       preprocessing: ImagePreprocessing(channels: 3, resize: .exact(height: 10, width: 12)))
            let dataset = try ImageDataset(shape: decoded.shape, pixels: decoded.pixels, labels: try rows.map { try Int32(table.integer(row: $0, column: columns[1])) },
                                           classNames: ["landbird", "waterbird"],
                                           attributes: [DatasetAttribute(name: "place", valueNames: ["0", "1"], values: try rows.map { try Int32(table.integer(row: $0, column: columns[3])) })])
            XCTAssertEqual(try Data(contentsOf: harness.url(result, "datasets.birds", split)), try DatasetArtifact.encode(dataset), split)
        }
    }
}
