import Foundation

/// Loads the CelebA layout (Liu et al., 2015): an image folder, an attribute
/// CSV with an image-name column and one column per attribute holding -1 or 1
/// (`list_attr_celeba.csv`), and the split either in a partition CSV
/// (`list_eval_partition.csv`: image name, 0 train / 1 val / 2 test) or in a
/// column of the attribute file.
///
/// The label is the `target` attribute (classes `not-<target>`, `<target>`);
/// each `spurious` attribute becomes a data set attribute with values `0`, `1`.
public struct CelebALoader: Sendable {
    public var imageDirectory: URL
    public var attributeFile: URL
    /// A partition CSV; if nil, `partitionColumn` of the attribute file is used.
    public var partitionFile: URL?
    public var partitionColumn: String
    public var imageColumn: String
    public var target: String
    public var spurious: [String]
    public var preprocessing: ImagePreprocessing

    /// The DFR recipe's transform: centre crop 178 × 178, then resize to 224 × 224.
    public static let standardPreprocessing = ImagePreprocessing(channels: 3, resize: .exact(height: 224, width: 224),
                                                                 centerCrop: ImageSize(height: 178, width: 178), order: .cropThenResize)

    public init(imageDirectory: URL, attributeFile: URL, partitionFile: URL?, partitionColumn: String = "partition",
                imageColumn: String = "image_id", target: String, spurious: [String],
                preprocessing: ImagePreprocessing = CelebALoader.standardPreprocessing) {
        self.imageDirectory = imageDirectory
        self.attributeFile = attributeFile
        self.partitionFile = partitionFile
        self.partitionColumn = partitionColumn
        self.imageColumn = imageColumn
        self.target = target
        self.spurious = spurious
        self.preprocessing = preprocessing
    }

    public func load() throws -> DatasetSplits {
        let table = try CSVTable.read(attributeFile)
        var needed = [imageColumn, target] + spurious
        if partitionFile == nil { needed.append(partitionColumn) }
        let cols = try table.columns(needed)

        var partitionByImage: [String: Int] = [:]
        if let partitionFile {
            let partitions = try CSVTable.read(partitionFile)
            let pc = try partitions.columns([imageColumn, partitionColumn])
            for r in partitions.rows.indices {
                partitionByImage[partitions.string(row: r, column: pc[0])] = try Self.split(partitions, row: r, column: pc[1])
            }
        }

        var files: [URL] = [], labels: [Int32] = [], splitOf: [Int] = []
        var spuriousValues = [[Int32]](repeating: [], count: spurious.count)
        for r in table.rows.indices {
            let name = table.string(row: r, column: cols[0])
            files.append(imageDirectory.appendingPathComponent(name))
            labels.append(try Self.binary(table, row: r, column: cols[1]))
            for s in spurious.indices { spuriousValues[s].append(try Self.binary(table, row: r, column: cols[2 + s])) }
            if partitionFile != nil {
                guard let split = partitionByImage[name] else {
                    throw DataError.csvSyntax(path: table.path, line: table.rowLines[r], column: imageColumn,
                                              message: "image `\(name)` has no row in the partition file `\(partitionFile!.path)`")
                }
                splitOf.append(split)
            } else {
                splitOf.append(try Self.split(table, row: r, column: cols[cols.count - 1]))
            }
        }
        let decoded = try ImageBatchDecoder.decode(files, preprocessing: preprocessing, listing: (table.path, table.rowLines))
        let attributes = spurious.enumerated().map { s, name in
            DatasetAttribute(name: name, valueNames: ["0", "1"], values: spuriousValues[s])
        }
        let all = try ImageDataset(shape: decoded.shape, pixels: decoded.pixels, labels: labels,
                                   classNames: ["not-\(target)", target], attributes: attributes)
        var result = DatasetSplits()
        for (k, name) in ["train", "val", "test"].enumerated() {
            result[name] = all.subset(splitOf.indices.filter { splitOf[$0] == k })
        }
        return result
    }

    /// -1/1 (CelebA's convention) or 0/1, mapped to 0/1.
    private static func binary(_ table: CSVTable, row: Int, column: Int) throws -> Int32 {
        switch table.string(row: row, column: column) {
        case "1": return 1
        case "-1", "0": return 0
        case let other:
            throw DataError.csvSyntax(path: table.path, line: table.rowLines[row], column: table.header[column],
                                      message: "expected -1 or 1, found `\(other)`")
        }
    }

    private static func split(_ table: CSVTable, row: Int, column: Int) throws -> Int {
        let value = try table.integer(row: row, column: column)
        guard (0 ... 2).contains(value) else {
            throw DataError.csvSyntax(path: table.path, line: table.rowLines[row], column: table.header[column],
                                      message: "expected a partition 0 (train), 1 (val) or 2 (test), found \(value)")
        }
        return value
    }
}
