import AssayLearn
import AssaySupport
import Foundation

/// The `features` artifact of `features` and `select` (format `assay.features/1`, see
/// `ArtifactFormats.md`): one feature matrix per split, all with the same columns, the label
/// of every row, and the layer every column came from.
///
/// Layout (little-endian): `"ASSAYFT\0"`, UInt32 version 1, UInt32 manifest length, the
/// manifest (sorted-key JSON), zero padding to a multiple of 64, then per split (in manifest
/// order) its Float32 values (rows × columns, row-major) followed by its Int32 labels.
public struct FeaturesArtifact: Equatable, Sendable {
    public struct Split: Equatable, Sendable {
        public var name: String
        /// Digest of the data-set artifact the rows were computed from (matches the groups artifact).
        public var dataset: String
        public var features: FeatureMatrix
        public var labels: [Int32]
        /// Which examples of the data set the rows are (indices into it, ascending), when not
        /// all of them in order: `select` holds back the examples it fitted on.
        public var rows: [Int]? = nil
        /// Examples of the data set that fitted a feature selection (ascending); they are absent
        /// from `rows`, so nothing downstream can train on them again.
        public var selectionRows: [Int]? = nil

        /// The data-set example index of every row.
        public var exampleIndices: [Int] { rows ?? Array(0..<features.rows) }

        /// Only the rows at `indices` (positions in this split, ascending), the others recorded
        /// as used by a selection.
        public func holdingOut(_ indices: [Int], usedForSelection used: [Int]) -> Split {
            let examples = exampleIndices
            let spent = ((selectionRows ?? []) + used.map { examples[$0] }).sorted()
            return Split(name: name, dataset: dataset, features: features.selectingRows(indices), labels: indices.map { labels[$0] },
                         rows: indices.map { examples[$0] }, selectionRows: spent)
        }
    }

    /// Contiguous column ranges per layer, in column order.
    public var layers: [LayerColumns]
    /// For each column, its index in the features it was selected from (identity for `features`).
    public var sourceColumns: [Int]
    public var normalization: String
    public var classes: [String]
    public var splits: [Split]

    public var columns: Int { sourceColumns.count }

    struct Manifest: Codable {
        struct SplitEntry: Codable {
            var name: String
            var dataset: String
            var rows: Int
            /// Data-set example indices of the rows, when not all examples in order.
            var examples: [Int]?
            /// Data-set examples that fitted a selection and were left out.
            var selectionExamples: [Int]?
        }
        var format = "assay.features/1"
        var columns: Int
        var layers: [LayerColumns]
        var sourceColumns: [Int]
        var normalization: String
        var classes: [String]
        var splits: [SplitEntry]
    }

    static let magic = Array("ASSAYFT".utf8) + [0]

    public func split(_ name: String) -> Split? { splits.first { $0.name == name } }

    /// The columns of the listed layers only (all when `names` is empty).
    public func restricted(toLayers names: [String], stage: String) throws -> FeaturesArtifact {
        guard !names.isEmpty else { return self }
        let unknown = names.filter { n in !layers.contains { $0.layer == n } }
        guard unknown.isEmpty else {
            throw StageError(stage: stage, path: "layers", "the features hold no layer \(unknown.map { "`\($0)`" }.joined(separator: ", "))",
                             help: "layers present: " + layers.map(\.layer).joined(separator: ", "))
        }
        var kept: [Int] = []
        for span in layers where names.contains(span.layer) { kept += Array(span.range) }
        return selectingColumns(kept)
    }

    /// The given columns (ascending), with layer spans and source columns following along.
    public func selectingColumns(_ kept: [Int]) -> FeaturesArtifact {
        var spans: [LayerColumns] = []
        var start = 0
        for span in layers {
            let count = kept.filter { span.range.contains($0) }.count
            if count > 0 { spans.append(LayerColumns(layer: span.layer, start: start, count: count)) }
            start += count
        }
        return FeaturesArtifact(
            layers: spans, sourceColumns: kept.map { sourceColumns[$0] }, normalization: normalization, classes: classes,
            splits: splits.map { Split(name: $0.name, dataset: $0.dataset, features: $0.features.selectingColumns(kept), labels: $0.labels,
                                       rows: $0.rows, selectionRows: $0.selectionRows) })
    }

    public func encoded() throws -> Data {
        var out = try Self.head(columns: columns, layers: layers, sourceColumns: sourceColumns, normalization: normalization, classes: classes,
                                splits: splits.map { .init(name: $0.name, dataset: $0.dataset, rows: $0.features.rows,
                                                           examples: $0.rows, selectionExamples: $0.selectionRows) })
        for split in splits {
            split.features.values.withUnsafeBytes { out.append(contentsOf: $0) }
            split.labels.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        return out
    }

    /// The bytes before the first split's values: magic, version, manifest and zero padding to 64.
    static func head(columns: Int, layers: [LayerColumns], sourceColumns: [Int], normalization: String, classes: [String],
                     splits: [Manifest.SplitEntry]) throws -> Data {
        let manifest = Manifest(columns: columns, layers: layers, sourceColumns: sourceColumns, normalization: normalization, classes: classes, splits: splits)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(manifest)
        var out = Data(Self.magic)
        func append32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        append32(1)
        append32(UInt32(json.count))
        out.append(json)
        out.append(contentsOf: [UInt8](repeating: 0, count: (64 - out.count % 64) % 64))
        return out
    }

    /// Writes the artifact of `features` (every example of each split, in order) to `url` without
    /// holding its values: `values(k, emit)` emits split k's rows × `columns` Float32 values, row by
    /// row, in pieces of any size. The bytes equal `encoded()`'s for the same values.
    static func write(to url: URL, stage: String, columns: Int, layers: [LayerColumns], normalization: String, classes: [String],
                      splits: [(name: String, dataset: String, labels: [Int32])],
                      values: (Int, (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let head = try head(columns: columns, layers: layers, sourceColumns: Array(0..<columns), normalization: normalization, classes: classes,
                            splits: splits.map { .init(name: $0.name, dataset: $0.dataset, rows: $0.labels.count) })
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw StageError(stage: stage, path: "features", "cannot create the features file \(url.path)")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: head)
        for (k, split) in splits.enumerated() {
            var emitted = 0
            try values(k) { piece in
                emitted += piece.count
                try handle.write(contentsOf: piece)
            }
            precondition(emitted == 4 * split.labels.count * columns, "split `\(split.name)`: \(emitted) bytes of values for \(split.labels.count) × \(columns)")
            try split.labels.withUnsafeBytes { try handle.write(contentsOf: $0) }
        }
    }

    public static func read(from url: URL, stage: String) throws -> FeaturesArtifact {
        func bad(_ why: String) -> StageError { StageError(stage: stage, path: "features", "the features artifact \(url.path) is unreadable: \(why)") }
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch { throw bad("\(SystemErrorText.message(for: error))") }
        guard data.count >= 16, Array(data.prefix(8)) == magic else { throw bad("not an Assay features file") }
        func u32(_ at: Int) -> Int { Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) }.littleEndian) }
        guard u32(8) == 1 else { throw bad("version \(u32(8)) is not supported") }
        let length = u32(12)
        guard data.count >= 16 + length, let manifest = try? JSONDecoder().decode(Manifest.self, from: data.subdata(in: 16..<(16 + length))) else {
            throw bad("its manifest cannot be decoded")
        }
        var offset = 16 + length
        offset += (64 - offset % 64) % 64
        var splits: [Split] = []
        for entry in manifest.splits {
            let valueBytes = entry.rows * manifest.columns * 4, labelBytes = entry.rows * 4
            guard data.count >= offset + valueBytes + labelBytes else { throw bad("it is truncated") }
            if let examples = entry.examples, examples.count != entry.rows { throw bad("split `\(entry.name)` lists \(examples.count) example indices for \(entry.rows) rows") }
            var values = [Float](repeating: 0, count: entry.rows * manifest.columns)
            var labels = [Int32](repeating: 0, count: entry.rows)
            values.withUnsafeMutableBytes { dst in data.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + valueBytes)])) } }
            offset += valueBytes
            labels.withUnsafeMutableBytes { dst in data.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + labelBytes)])) } }
            offset += labelBytes
            splits.append(Split(name: entry.name, dataset: entry.dataset, features: FeatureMatrix(rows: entry.rows, columns: manifest.columns, values: values),
                                labels: labels, rows: entry.examples, selectionRows: entry.selectionExamples))
        }
        return FeaturesArtifact(layers: manifest.layers, sourceColumns: manifest.sourceColumns, normalization: manifest.normalization,
                                classes: manifest.classes, splits: splits)
    }
}
