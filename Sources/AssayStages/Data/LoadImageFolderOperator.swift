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
        let size = p.size
        guard size.count == 2 else { throw StageError(stage: node.id, path: "size", "expected [H, W]") }
        let preprocessing = ImagePreprocessing(channels: p.channels, resize: .exact(height: size[0], width: size[1]))
        return StageResult(metrics: try DataStageIO.writeDecoding(try listings(p, root: root, node: node), preprocessing: preprocessing, node: node,
                                                                  context: context, errorPath: "root"))
    }

    /// The images of each split with their labels and attributes, read from the metadata CSV (which is
    /// let go before any image is decoded: the listings keep only paths, lines and values).
    func listings(_ p: Parameters, root: URL, node: PlanNode) throws -> [(split: String, listing: ImageListing)] {
        let metadata = root.appendingPathComponent(p.metadata)
        let classes = p.classes
        let attributeColumns = p.attributes
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
        // Per split: paths, CSV lines, labels, and one column of values per attribute.
        var paths: [String: [String]] = [:], lines: [String: [Int]] = [:], labels: [String: [Int32]] = [:], attributes: [String: [[Int32]]] = [:]
        try DataStageIO.wrap(node, "metadata") {
            for r in 0..<table.rowCount {
                let code = table.string(row: r, column: columns[2])
                guard let split = codes[code] else {
                    throw DataError.csvSyntax(path: table.path, line: table.rowLines[r], column: splitColumn,
                                              message: "split code `\(code)` is none of \(codes.keys.sorted().joined(separator: ", "))")
                }
                let file = root.appendingPathComponent(table.string(row: r, column: columns[0])).path
                guard FileManager.default.fileExists(atPath: file) else {
                    throw DataError.csvSyntax(path: table.path, line: table.rowLines[r], column: imageColumn, message: "the image \(file) does not exist")
                }
                paths[split, default: []].append(file)
                lines[split, default: []].append(table.rowLines[r])
                labels[split, default: []].append(try binary(r, columns[1], limit: classes.count))
                for a in attributeColumns.indices {
                    attributes[split, default: Array(repeating: [], count: attributeColumns.count)][a].append(try binary(r, columns[3 + a], limit: 2))
                }
            }
        }
        return ["train", "val", "test"].map { split -> (split: String, listing: ImageListing) in
            let values = attributes[split] ?? Array(repeating: [], count: attributeColumns.count)
            let datasetAttributes = attributeColumns.enumerated().map { a, name in DatasetAttribute(name: name, valueNames: ["0", "1"], values: values[a]) }
            return (split, ImageListing(paths: paths[split] ?? [], table: table.path, lines: lines[split] ?? [], labels: labels[split] ?? [],
                                        classNames: classes, attributes: datasetAttributes))
        }
    }
}
