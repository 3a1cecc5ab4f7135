import Foundation

/// Loads the Waterbirds layout (Sagawa et al., 2020): an image folder and
/// `metadata.csv` with columns `img_filename`, `y` (0 landbird, 1 waterbird),
/// `place` (0 land, 1 water) and `split` (0 train, 1 val, 2 test).
///
/// The result has splits `train`, `val`, `test`, labels `landbird`/`waterbird`
/// and the attribute `place` with values `land`/`water`.
public struct WaterbirdsLoader: Sendable {
    public var root: URL
    public var metadataFile: String
    public var preprocessing: ImagePreprocessing

    public static let classNames = ["landbird", "waterbird"]
    public static let placeNames = ["land", "water"]
    public static let splitNames = ["train", "val", "test"]
    /// The DFR recipe's evaluation transform: resize to 256 × 256, centre crop 224 × 224.
    public static let standardPreprocessing = ImagePreprocessing(channels: 3, resize: .exact(height: 256, width: 256),
                                                                 centerCrop: ImageSize(height: 224, width: 224))

    public init(root: URL, metadataFile: String = "metadata.csv",
                preprocessing: ImagePreprocessing = WaterbirdsLoader.standardPreprocessing) {
        self.root = root
        self.metadataFile = metadataFile
        self.preprocessing = preprocessing
    }

    public func load() throws -> DatasetSplits {
        let table = try CSVTable.read(root.appendingPathComponent(metadataFile))
        let cols = try table.columns(["img_filename", "y", "place", "split"])
        var files: [URL] = [], labels: [Int32] = [], places: [Int32] = [], splitOf: [Int] = []
        for r in table.rows.indices {
            let y = try table.integer(row: r, column: cols[1])
            let place = try table.integer(row: r, column: cols[2])
            let split = try table.integer(row: r, column: cols[3])
            for (value, column, limit) in [(y, cols[1], 2), (place, cols[2], 2), (split, cols[3], 3)] where value < 0 || value >= limit {
                throw DataError.csvSyntax(path: table.path, line: table.rowLines[r], column: table.header[column],
                                          message: "expected a value in 0…\(limit - 1), found \(value)")
            }
            files.append(root.appendingPathComponent(table.string(row: r, column: cols[0])))
            labels.append(Int32(y))
            places.append(Int32(place))
            splitOf.append(split)
        }
        let decoded = try ImageBatchDecoder.decode(files, preprocessing: preprocessing, listing: (table.path, table.rowLines))
        let all = try ImageDataset(shape: decoded.shape, pixels: decoded.pixels, labels: labels, classNames: Self.classNames,
                                   attributes: [DatasetAttribute(name: "place", valueNames: Self.placeNames, values: places)])
        var result = DatasetSplits()
        for (k, name) in Self.splitNames.enumerated() {
            result[name] = all.subset(splitOf.indices.filter { splitOf[$0] == k })
        }
        return result
    }
}
