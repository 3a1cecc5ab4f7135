import AssaySupport
import Foundation

/// Loads CelebA (Liu et al., 2015) from its own files: `img_align_celeba/`, `list_attr_celeba.txt`
/// (40 attributes, -1 or 1 per image) and `list_eval_partition.txt` (0 train, 1 val, 2 test);
/// see ``CelebAFormat``.
///
/// The label is the `target` attribute (classes `not-<target>`, `<target>`); each `spurious`
/// attribute becomes a data set attribute with values `0`, `1`. Images keep the attribute file's
/// order within each split.
public struct CelebALoader: Sendable {
    public var imageDirectory: URL
    public var attributeFile: URL
    public var partitionFile: URL
    public var target: String
    public var spurious: [String]

    /// The DFR recipe's transform: centre crop 178 × 178, then resize to 224 × 224.
    public static let standardPreprocessing = ImagePreprocessing(channels: 3, resize: .exact(height: 224, width: 224),
                                                                 centerCrop: ImageSize(height: 178, width: 178), order: .cropThenResize)

    /// The standard layout inside `root`.
    public init(root: URL, target: String, spurious: [String]) {
        self.init(imageDirectory: root.appendingPathComponent(CelebAFormat.imageFolder), attributeFile: root.appendingPathComponent(CelebAFormat.attributeFile),
                  partitionFile: root.appendingPathComponent(CelebAFormat.partitionFile), target: target, spurious: spurious)
    }

    public init(imageDirectory: URL, attributeFile: URL, partitionFile: URL, target: String, spurious: [String]) {
        self.imageDirectory = imageDirectory
        self.attributeFile = attributeFile
        self.partitionFile = partitionFile
        self.target = target
        self.spurious = spurious
    }

    /// The images of each split (`train`, `val`, `test`), the first `limit[split]` of each if given.
    /// Every image must exist and have a partition; every partitioned image must have attributes.
    public func listings(limit: [String: Int] = [:]) throws -> [(split: String, listing: ImageListing)] {
        func converted<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let problem as CelebAFormat.Problem {
                throw DataError.csvSyntax(path: problem.path, line: problem.line, column: nil, message: problem.message)
            }
        }
        for (url, role) in [(attributeFile, "CelebA attribute file"), (partitionFile, "CelebA partition file")] where !FileManager.default.fileExists(atPath: url.path) {
            throw DataError.missingFile(path: url.path, role: role)
        }
        let (header, rows) = try converted { try CelebAFormat.attributes(path: attributeFile.path) }
        let partition = try converted { try CelebAFormat.partition(path: partitionFile.path) }
        var columns: [Int] = []
        for name in [target] + spurious {
            guard let column = header.names.firstIndex(of: name) else { throw DataError.unknownAttribute(name: name, known: header.names) }
            columns.append(column)
        }
        var splitOf: [String: UInt8] = [:]
        splitOf.reserveCapacity(partition.images.count)
        for (image, split) in zip(partition.images, partition.splits) { splitOf[image] = split }
        var rowsBySplit = [[CelebAFormat.AttributeRow]](repeating: [], count: 3)
        var listed = Set<String>()
        for row in rows {
            guard let split = splitOf[row.image] else {
                throw DataError.csvSyntax(path: attributeFile.path, line: row.line, column: nil,
                                          message: "image `\(row.image)` has no line in the partition file `\(partitionFile.path)`")
            }
            guard listed.insert(row.image).inserted else {
                throw DataError.csvSyntax(path: attributeFile.path, line: row.line, column: nil, message: "image `\(row.image)` is listed twice")
            }
            rowsBySplit[Int(split)].append(row)
        }
        if let k = partition.images.firstIndex(where: { !listed.contains($0) }) {
            throw DataError.csvSyntax(path: partitionFile.path, line: partition.lines[k], column: nil,
                                      message: "image `\(partition.images[k])` has no line in the attribute file `\(attributeFile.path)`")
        }
        return try CelebAFormat.splitNames.enumerated().map { k, split in
            let kept = rowsBySplit[k].prefix(limit[split] ?? Int.max)
            var paths: [String] = []
            paths.reserveCapacity(kept.count)
            for row in kept {
                let file = imageDirectory.appendingPathComponent(row.image).path
                guard FileManager.default.fileExists(atPath: file) else {
                    throw DataError.listed(table: attributeFile.path, line: row.line, problem: .missingFile(path: file, role: "image"))
                }
                paths.append(file)
            }
            let attributes = spurious.enumerated().map { s, name in
                DatasetAttribute(name: name, valueNames: ["0", "1"], values: kept.map { Int32($0.values[columns[1 + s]]) })
            }
            return (split, ImageListing(paths: paths, table: attributeFile.path, lines: kept.map(\.line), labels: kept.map { Int32($0.values[columns[0]]) },
                                        classNames: ["not-\(target)", target], attributes: attributes))
        }
    }

    /// Lists and decodes every split in memory (small data sets and tests; stages stream instead).
    public func load(preprocessing: ImagePreprocessing = CelebALoader.standardPreprocessing, limit: [String: Int] = [:]) throws -> DatasetSplits {
        var result = DatasetSplits()
        for (split, listing) in try listings(limit: limit) { result[split] = try listing.decode(preprocessing) }
        return result
    }
}
