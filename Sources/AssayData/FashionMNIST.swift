import Foundation

/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 70,000 grey 28×28 images of
/// ten clothing classes in four IDX files, gzipped (as distributed) or not.
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    public static let defaultDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    /// Canonical class names, lower case with hyphens, in label order 0…9.
    public static let classNames = [
        "t-shirt", "trouser", "pullover", "dress", "coat",
        "sandal", "shirt", "sneaker", "bag", "ankle-boot",
    ]

    public enum Split: String, CaseIterable, Sendable {
        case train, test

        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// Loads one split: images 1×28×28 and labels 0…9.
    public static func load(_ split: Split, directory: URL = defaultDirectory) throws -> ImageDataset {
        let imagesURL = try locate("\(split.filePrefix)-images-idx3-ubyte", in: directory)
        let labelsURL = try locate("\(split.filePrefix)-labels-idx1-ubyte", in: directory)
        let images = try IDXFile.read(imagesURL, rank: 3)
        let labels = try IDXFile.read(labelsURL, rank: 1)
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DataError.shapeMismatch(what: "`\(labelsURL.path)`", expected: "\(images.dimensions[0]) labels (one per image in `\(imagesURL.path)`)", found: "\(labels.dimensions[0])")
        }
        if let bad = labels.values.first(where: { $0 >= 10 }) {
            throw DataError.malformedFile(path: labelsURL.path, expected: "labels 0…9", found: "label \(bad)")
        }
        return try ImageDataset(
            shape: SampleShape(channels: 1, height: images.dimensions[1], width: images.dimensions[2]),
            pixels: Array(images.values),
            labels: labels.values.map { Int32($0) },
            classNames: classNames)
    }

    /// Writes split `split` (its first `limit` images, if given) as a one-split artifact at `url`, the
    /// images passed on a piece at a time as they are decompressed: memory holds the labels and one
    /// piece, not the images. The bytes are those of writing `load(split)` (cut to its first `limit`).
    /// Returns the number of images written.
    @discardableResult
    public static func write(_ split: Split, directory: URL = defaultDirectory, limit: Int? = nil, to url: URL) throws -> Int {
        let imagesURL = try locate("\(split.filePrefix)-images-idx3-ubyte", in: directory)
        let labelsURL = try locate("\(split.filePrefix)-labels-idx1-ubyte", in: directory)
        let dimensions = try IDXFile.dimensions(imagesURL, rank: 3)
        let labels = try IDXFile.read(labelsURL, rank: 1)
        guard dimensions[0] == labels.dimensions[0] else {
            throw DataError.shapeMismatch(what: "`\(labelsURL.path)`", expected: "\(dimensions[0]) labels (one per image in `\(imagesURL.path)`)", found: "\(labels.dimensions[0])")
        }
        if let bad = labels.values.first(where: { $0 >= 10 }) {
            throw DataError.malformedFile(path: labelsURL.path, expected: "labels 0…9", found: "label \(bad)")
        }
        let count = min(limit ?? dimensions[0], dimensions[0])
        let shape = SampleShape(channels: 1, height: dimensions[1], width: dimensions[2])
        // Labels only: a zero-height shape holds no pixels (the layout takes the real shape).
        let metadata = try ImageDataset(shape: SampleShape(channels: 1, height: 0, width: 0), pixels: [],
                                        labels: labels.values.prefix(count).map { Int32($0) }, classNames: classNames)
        var summary = metadata.summary
        summary.shape = shape
        try DatasetArtifact.writeStreamed(DatasetArtifact.SplitLayout(name: "all", dataset: metadata, shape: shape, summary: summary), to: url, pixels: { emit in
            var left = count * shape.count
            try IDXFile.stream(imagesURL, rank: 3, header: { found in
                guard found == dimensions else {
                    throw DataError.malformedFile(path: imagesURL.path, expected: "the dimensions \(dimensions) read first", found: "\(found)")
                }
            }) { piece in
                // Past the limit the rest is still read, so a truncated file is an error either way.
                let k = min(left, piece.count)
                if k > 0 { try emit(UnsafeRawBufferPointer(rebasing: piece[0 ..< k])) }
                left -= k
            }
        })
        return count
    }

    /// `name.gz`, or `name` when only the uncompressed file is there.
    static func locate(_ name: String, in directory: URL) throws -> URL {
        let gzipped = directory.appendingPathComponent(name + ".gz"), plain = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: gzipped.path) { return gzipped }
        if FileManager.default.fileExists(atPath: plain.path) { return plain }
        throw DataError.missingFile(path: gzipped.path, role: "IDX file (gzipped or not)")
    }

    /// Loads `train` (60,000) and `test` (10,000), decompressing the two splits concurrently.
    public static func loadAll(directory: URL = defaultDirectory) throws -> DatasetSplits {
        let splits = Split.allCases
        let results = ResultSlots<ImageDataset>(count: splits.count)
        DispatchQueue.concurrentPerform(iterations: splits.count) { i in
            results.set(i, Result { try load(splits[i], directory: directory) })
        }
        var result = DatasetSplits()
        for (i, split) in splits.enumerated() { result[split.rawValue] = try results.get(i) }
        return result
    }
}
