import Foundation

/// Images to decode with their labels and attributes: what a loader reads from its listing files
/// (a metadata CSV, CelebA's attribute file) before touching a pixel. Each image keeps the line
/// that lists it, so a missing or undecodable image names that line.
public struct ImageListing: Sendable {
    /// The images' paths: kept as strings, as a `URL` costs several times its path and a listing
    /// may hold hundreds of thousands (see `files(_:)` for URLs).
    public var paths: [String]
    /// The listing file, and the 1-based line of each image.
    public var table: String
    public var lines: [Int]
    public var labels: [Int32]
    public var classNames: [String]
    /// Attribute values, one per image each.
    public var attributes: [DatasetAttribute]

    public init(paths: [String], table: String, lines: [Int], labels: [Int32], classNames: [String], attributes: [DatasetAttribute]) {
        precondition(paths.count == lines.count && paths.count == labels.count && attributes.allSatisfy { $0.values.count == paths.count })
        self.paths = paths
        self.table = table
        self.lines = lines
        self.labels = labels
        self.classNames = classNames
        self.attributes = attributes
    }

    public init(files: [URL], table: String, lines: [Int], labels: [Int32], classNames: [String], attributes: [DatasetAttribute]) {
        self.init(paths: files.map(\.path), table: table, lines: lines, labels: labels, classNames: classNames, attributes: attributes)
    }

    public var count: Int { paths.count }

    /// Every image as a file URL.
    public var files: [URL] { files(0 ..< count) }

    /// Images `range` as file URLs (made when asked for: a block at a time while decoding).
    public func files(_ range: Range<Int>) -> [URL] { paths[range].map { URL(fileURLWithPath: $0, isDirectory: false) } }

    /// The first `n` images (all if fewer).
    public func prefix(_ n: Int) -> ImageListing {
        let k = min(n, count)
        return ImageListing(paths: Array(paths.prefix(k)), table: table, lines: Array(lines.prefix(k)), labels: Array(labels.prefix(k)), classNames: classNames,
                            attributes: attributes.map { DatasetAttribute(name: $0.name, valueNames: $0.valueNames, values: Array($0.values.prefix(k))) })
    }

    /// Decodes every image (in parallel, into its own slot) and returns the data set.
    public func decode(_ preprocessing: ImagePreprocessing) throws -> ImageDataset {
        let decoded = try ImageBatchDecoder.decode(files, preprocessing: preprocessing, listing: (table, lines))
        return try ImageDataset(shape: decoded.shape, pixels: decoded.pixels, labels: labels, classNames: classNames, attributes: attributes)
    }
}
