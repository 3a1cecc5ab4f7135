import AssayData
import AssayEngine
import Foundation

/// `load-image-folder`: images listed in a metadata CSV (Waterbirds: `img_filename, y, place,
/// split`; CelebA: one column per attribute holding -1/1), decoded and resized to `size`.
/// Labels and attributes given as -1/1 (CelebA's convention) become 0/1. A missing file, column
/// or bad value is an error naming the path, CSV line and column. Images are decoded a block at a
/// time straight into the output files (memory does not grow with the number of images).
struct LoadImageFolderOperator: ParameterizedOperator {
    struct Parameters: Decodable {
        var root: String
        var metadata: String
        var imageColumn: String
        var labelColumn: String
        var splitColumn: String
        var splits: SplitCodes
        var attributes: [String]
        var classes: [String]
        var size: [Int]
        var channels: Int

        /// The code of each split in the split column.
        struct SplitCodes: Decodable {
            var train: String
            var val: String
            var test: String
        }
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let root = URL(fileURLWithPath: try node.file("root"), isDirectory: true)
        let metadata = root.appendingPathComponent(p.metadata)
        let classes = p.classes
        let attributeColumns = p.attributes
        let size = p.size
        guard size.count == 2 else { throw StageError(stage: node.id, path: "size", "expected [H, W]") }
        let channels = p.channels
        var codes: [String: String] = [:]
        for (split, code) in [("train", p.splits.train), ("val", p.splits.val), ("test", p.splits.test)] { codes[code] = split }

        let table = try DataStageIO.wrap(node, "metadata") { try CSVTable.read(metadata) }
        let imageColumn = p.imageColumn, labelColumn = p.labelColumn
        let splitColumn = p.splitColumn
        let columns = try DataStageIO.wrap(node, "metadata") { try table.columns([imageColumn, labelColumn, splitColumn] + attributeColumns) }

        func binary(_ row: Int, _ column: Int, limit: Int) throws -> Int32 {
            var value = try table.integer(row: row, column: column)
            if value == -1 && limit == 2 { value = 0 }
            guard (0..<limit).contains(value) else {
                throw DataError.csvSyntax(path: table.path, line: table.rowLines[row], column: table.header[column],
                                          message: "expected a value in 0…\(limit - 1)\(limit == 2 ? " (or -1/1)" : ""), found \(value)")
            }
            return Int32(value)
        }
        var files: [String: [URL]] = [:], lines: [String: [Int]] = [:], labels: [String: [Int32]] = [:], attributes: [String: [[Int32]]] = [:]
        try DataStageIO.wrap(node, "metadata") {
            for r in table.rows.indices {
                let code = table.string(row: r, column: columns[2])
                guard let split = codes[code] else {
                    throw DataError.csvSyntax(path: table.path, line: table.rowLines[r], column: splitColumn,
                                              message: "split code `\(code)` is none of \(codes.keys.sorted().joined(separator: ", "))")
                }
                let file = root.appendingPathComponent(table.string(row: r, column: columns[0]))
                guard FileManager.default.fileExists(atPath: file.path) else {
                    throw DataError.csvSyntax(path: table.path, line: table.rowLines[r], column: imageColumn, message: "the image \(file.path) does not exist")
                }
                files[split, default: []].append(file)
                lines[split, default: []].append(table.rowLines[r])
                labels[split, default: []].append(try binary(r, columns[1], limit: classes.count))
                let values = try attributeColumns.indices.map { try binary(r, columns[3 + $0], limit: 2) }
                attributes[split, default: []].append(values)
            }
        }
        let preprocessing = ImagePreprocessing(channels: channels, resize: .exact(height: size[0], width: size[1]))
        let listings = ["train", "val", "test"].map { split -> (split: String, listing: ImageListing) in
            let rows = attributes[split] ?? []
            let datasetAttributes = attributeColumns.enumerated().map { a, name in
                DatasetAttribute(name: name, valueNames: ["0", "1"], values: rows.map { $0[a] })
            }
            return (split, ImageListing(files: files[split] ?? [], table: table.path, lines: lines[split] ?? [], labels: labels[split] ?? [],
                                        classNames: classes, attributes: datasetAttributes))
        }
        return StageResult(metrics: try DataStageIO.writeDecoding(listings, preprocessing: preprocessing, node: node, context: context, errorPath: "root"))
    }
}
