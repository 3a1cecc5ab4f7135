import AssaySupport
import Foundation

/// The binary file format of stored data sets (one or more named splits).
///
/// Layout (all integers little-endian):
///
///     "ASSAYDS\0"            8-byte magic
///     version   UInt32       currently 1
///     length    UInt32       byte length of the manifest
///     manifest  JSON         sorted keys, no whitespace: splits, shapes, classes,
///                            attributes, mask classes, summaries (group counts),
///                            and each block's offset and length
///     zero padding to a multiple of 64
///     blocks, each starting at a multiple of 64 (offsets relative to here):
///       pixels uint8 N·C·H·W, labels int32 N, each attribute int32 N,
///       masks uint8 N·H·W (if any), group ids int32 N (if any)
///
/// The same data gives the same bytes, so the content digest is stable.
/// Reading maps the file; image and mask blocks are read from the mapping when used.
public enum DatasetArtifact {
    public static let magic: [UInt8] = Array("ASSAYDS".utf8) + [0]
    public static let version: UInt32 = 1
    static let alignment = 64

    struct Block: Codable, Hashable {
        var offset: Int
        var length: Int
    }

    struct SplitEntry: Codable {
        var name: String
        var count: Int
        var shape: SampleShape
        var classNames: [String]
        var attributes: [AttributeEntry]
        var maskClassNames: [String]?
        var maskVoidLabel: Int?
        var pixels: Block
        var labels: Block
        var masks: Block?
        var groupIDs: Block?
        var summary: DatasetSummary
    }

    struct AttributeEntry: Codable {
        var name: String
        var valueNames: [String]
        var values: Block
    }

    struct Manifest: Codable {
        var format: String
        var splits: [SplitEntry]
    }

    /// The artifact bytes of `splits`.
    public static func encode(_ splits: DatasetSplits) throws -> Data {
        var out = Data()
        // Reserve the block sizes up front (plus room for header, manifest and padding).
        out.reserveCapacity(splits.all.reduce(1 << 16) { total, split in
            let set = split.dataset
            let int32Blocks = 1 + set.attributes.count + (set.groupIDs == nil ? 0 : 1)
            return total + set.pixels.count + (set.masks?.pixels.count ?? 0) + 4 * set.count * int32Blocks + 64 * (int32Blocks + 2)
        })
        try serialize(splits) { chunk in out.append(contentsOf: chunk) }
        return out
    }

    /// Produces the artifact as a sequence of chunks (header, manifest, blocks,
    /// padding), so large data sets stream to disk without one big buffer.
    static func serialize(_ splits: DatasetSplits, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try serialize(splits.all.map { SplitLayout(name: $0.name, dataset: $0.dataset, shape: $0.dataset.shape, summary: $0.dataset.summary) },
                      emit: emit, pixels: { k, emit in try emitReleasing(splits.all[k].dataset.pixels, emit) },
                      masks: { k, emit in try splits.all[k].dataset.masks.map { try emitReleasing($0.pixels, emit) } })
    }

    /// Emits `bytes` in pieces of 16 MiB, releasing each once written, so copying a mapped data set
    /// does not pull all of it into memory.
    static func emitReleasing(_ bytes: DatasetBytes, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try bytes.withUnsafeBytes { raw in
            for start in stride(from: 0, to: raw.count, by: 1 << 24) {
                let piece = start ..< min(raw.count, start + (1 << 24))
                try emit(UnsafeRawBufferPointer(rebasing: raw[piece]))
                bytes.release(piece)
            }
        }
    }

    /// A split to lay out. Its pixel block comes from `serialize`'s `pixels` closure, so `dataset`
    /// may hold labels and attributes only (a zero-height shape), with `shape` the real one.
    struct SplitLayout {
        var name: String
        var dataset: ImageDataset
        var shape: SampleShape
        var summary: DatasetSummary
    }

    /// `pixels(k, emit)` emits the pixel block of split `k`: exactly count · shape.count bytes, in pieces of any size.
    /// `masks(k, emit)` likewise emits the mask block (count · H·W bytes) of a split whose `dataset` has masks
    /// (for their class names and void label); it is not called for splits without.
    static func serialize(_ layouts: [SplitLayout], emit: (UnsafeRawBufferPointer) throws -> Void,
                          pixels: (Int, (UnsafeRawBufferPointer) throws -> Void) throws -> Void,
                          masks: (Int, (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        // First pass: lay out blocks and build the manifest.
        var offset = 0
        func block(_ length: Int) -> Block {
            defer { offset += padded(length) }
            return Block(offset: offset, length: length)
        }
        var entries: [SplitEntry] = []
        for layout in layouts {
            let (name, set) = (layout.name, layout.dataset)
            let pixels = block(set.count * layout.shape.count)
            let labels = block(4 * set.count)
            let attributes = set.attributes.map { AttributeEntry(name: $0.name, valueNames: $0.valueNames, values: block(4 * set.count)) }
            let maskBlock = set.masks.map { _ in block(set.count * layout.shape.planeCount) }
            let groups = set.groupIDs.map { _ in block(4 * set.count) }
            entries.append(SplitEntry(name: name, count: set.count, shape: layout.shape, classNames: set.classNames, attributes: attributes,
                                      maskClassNames: set.masks?.classNames, maskVoidLabel: set.masks?.voidLabel.map(Int.init),
                                      pixels: pixels, labels: labels, masks: maskBlock, groupIDs: groups, summary: layout.summary))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let manifest = try encoder.encode(Manifest(format: "assay-dataset", splits: entries))

        // Second pass: emit in layout order.
        let zeros = [UInt8](repeating: 0, count: alignment)
        var header = magic
        withUnsafeBytes(of: version.littleEndian) { header += $0 }
        withUnsafeBytes(of: UInt32(manifest.count).littleEndian) { header += $0 }
        try header.withUnsafeBytes(emit)
        try manifest.withUnsafeBytes(emit)
        try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0 ..< padded(16 + manifest.count) - 16 - manifest.count])) }
        func emitPadded(_ bytes: UnsafeRawBufferPointer) throws {
            try emit(bytes)
            try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0 ..< padded(bytes.count) - bytes.count])) }
        }
        func emitInt32s(_ values: [Int32]) throws {
            // Little-endian on disk; a no-op copy on the little-endian hosts Assay runs on.
            try values.map(\.littleEndian).withUnsafeBytes(emitPadded)
        }
        for (k, layout) in layouts.enumerated() {
            let set = layout.dataset, length = set.count * layout.shape.count
            var emitted = 0
            try withoutActuallyEscaping(emit) { emit in
                try pixels(k) { piece in
                    emitted += piece.count
                    try emit(piece)
                }
            }
            precondition(emitted == length, "pixel block of split `\(layout.name)`: \(emitted) bytes emitted, \(length) laid out")
            try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0 ..< padded(length) - length])) }
            try emitInt32s(set.labels)
            for attribute in set.attributes { try emitInt32s(attribute.values) }
            if set.masks != nil {
                let maskLength = set.count * layout.shape.planeCount
                var emittedMasks = 0
                try withoutActuallyEscaping(emit) { emit in
                    let counted: (UnsafeRawBufferPointer) throws -> Void = { piece in
                        emittedMasks += piece.count
                        try emit(piece)
                    }
                    try masks(k, counted)
                }
                precondition(emittedMasks == maskLength, "mask block of split `\(layout.name)`: \(emittedMasks) bytes emitted, \(maskLength) laid out")
                try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0 ..< padded(maskLength) - maskLength])) }
            }
            if let groups = set.groupIDs { try emitInt32s(groups) }
        }
    }

    /// The artifact bytes of one data set, stored as a single split named `all`.
    public static func encode(_ dataset: ImageDataset) throws -> Data {
        try encode(DatasetSplits([("all", dataset)]))
    }

    /// Writes `splits` to `url`, streaming block by block (the caching engine
    /// publishes the file afterwards; a failed write leaves no file behind). Returns the
    /// digest of the bytes written (hashed on the way, see `HashingFileWriter`).
    @discardableResult
    public static func write(_ splits: DatasetSplits, to url: URL) throws -> Digest {
        try write(to: url, size: {
            // The artifact's size, for a full disk's message: counted by serialising again without writing.
            var size = 0
            try? serialize(splits) { size += $0.count }
            return size
        }, serialize: { emit in try serialize(splits, emit: emit) })
    }

    /// Writes the chunks `serialize` emits to `url` and returns their digest; on failure removes the
    /// file and says why (`size()` gives the bytes a full disk would have needed).
    static func write(to url: URL, size: () -> Int, serialize: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> Digest {
        let writer: HashingFileWriter
        do { writer = try HashingFileWriter(creating: url.path) } catch let failed as HashingFileWriter.Failure {
            throw DataError.unwritableFile(path: url.path, reason: "cannot create the file: \(SystemErrorText.reason(errno: failed.code, path: url.path))")
        }
        do {
            try serialize { try writer.write($0) }
            return try writer.finish()
        } catch {
            unlink(url.path)
            if let failed = error as? ProducerFailure { throw failed.error }
            if let failed = error as? HashingFileWriter.Failure {
                throw DataError.unwritableFile(path: url.path, reason: SystemErrorText.reason(errno: failed.code, path: url.path, bytesNeeded: size()))
            }
            throw error as? DataError ?? DataError.unwritableFile(path: url.path, reason: SystemErrorText.reason(error, path: url.path, bytesNeeded: size()))
        }
    }

    /// An error of whatever produces the bytes (a decoder, a cancelled stage), passed through unchanged
    /// rather than taken for a write failure.
    struct ProducerFailure: Error {
        var error: Error
    }

    @discardableResult
    public static func write(_ dataset: ImageDataset, to url: URL) throws -> Digest {
        try write(DatasetSplits([("all", dataset)]), to: url)
    }

    /// Reads an artifact written by `write`, memory-mapping the file: pixel and mask blocks stay
    /// windows on the mapping (read when used, see `DatasetBytes`), the rest is copied. With
    /// `inMemory`, every block is copied into memory instead (the same values).
    public static func read(from url: URL, inMemory: Bool = false) throws -> DatasetSplits {
        let file = try MappedFile(path: url.path)
        // The file must stay mapped while it is read, also when nothing keeps a window on it.
        return try withExtendedLifetime(file) { try decode(file.bytes, path: url.path, mapping: inMemory ? nil : file) }
    }

    /// Reads a single-split artifact (or the split named `all`).
    public static func readDataset(from url: URL, inMemory: Bool = false) throws -> ImageDataset {
        let splits = try read(from: url, inMemory: inMemory)
        if let all = splits["all"] { return all }
        guard splits.names.count == 1 else {
            throw DataError.unknownSplit(name: "all", known: splits.names)
        }
        return splits[splits.names[0]]!
    }

    private static func readManifest(_ data: UnsafeRawBufferPointer, path: String) throws -> (manifest: Manifest, dataStart: Int) {
        func malformed(_ found: String) -> DataError {
            DataError.malformedFile(path: path, expected: "an Assay data set artifact (version \(version))", found: found)
        }
        guard data.count >= 16, Array(data.prefix(8)) == magic else { throw malformed("a different header") }
        let fileVersion = readUInt32(data, at: 8), manifestLength = Int(readUInt32(data, at: 12))
        guard fileVersion == version else { throw malformed("version \(fileVersion)") }
        guard 16 + manifestLength <= data.count else { throw malformed("a truncated manifest") }
        do {
            let manifest = try JSONDecoder().decode(Manifest.self, from: Data(data[16 ..< 16 + manifestLength]))
            return (manifest, padded(16 + manifestLength))
        } catch {
            throw malformed("an unreadable manifest (\(error))")
        }
    }

    /// Decodes artifact bytes held in memory (the blocks are copied).
    public static func decode(_ data: Data, path: String) throws -> DatasetSplits {
        try data.withUnsafeBytes { try decode($0, path: path, mapping: nil) }
    }

    /// Decodes the artifact in `raw`; with `mapping` (whose bytes `raw` are), pixel and mask blocks
    /// are windows on it instead of copies.
    private static func decode(_ raw: UnsafeRawBufferPointer, path: String, mapping: MappedFile?) throws -> DatasetSplits {
        func malformed(_ found: String) -> DataError {
            DataError.malformedFile(path: path, expected: "an Assay data set artifact (version \(version))", found: found)
        }
        let (manifest, base) = try readManifest(raw, path: path)
        mapping?.release(0 ..< base)
        func range(_ block: Block, expected: Int, what: String) throws -> Range<Int> {
            guard block.length == expected, block.offset >= 0, base + block.offset + block.length <= raw.count else {
                throw malformed("\(what) block of \(block.length) bytes at \(block.offset), expected \(expected) bytes inside the file")
            }
            return base + block.offset ..< base + block.offset + block.length
        }
        func bytes(_ block: Block, expected: Int, what: String) throws -> DatasetBytes {
            let r = try range(block, expected: expected, what: what)
            if let mapping { return DatasetBytes(mapping: mapping, offset: r.lowerBound, count: r.count) }
            return DatasetBytes(raw[r])
        }
        func int32s(_ block: Block, count: Int, what: String) throws -> [Int32] {
            let r = try range(block, expected: 4 * count, what: what)
            let b = UnsafeRawBufferPointer(rebasing: raw[r])
            defer { mapping?.release(r) }  // copied: its pages (and the folios around them) need not stay mapped
            return (0 ..< count).map { Int32(littleEndian: b.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        }
        var result = DatasetSplits()
        for entry in manifest.splits {
            let n = entry.count
            let pixels = try bytes(entry.pixels, expected: n * entry.shape.count, what: "pixel")
            let labels = try int32s(entry.labels, count: n, what: "label")
            let attributes = try entry.attributes.map {
                DatasetAttribute(name: $0.name, valueNames: $0.valueNames, values: try int32s($0.values, count: n, what: "attribute `\($0.name)`"))
            }
            var masks: SegmentationMasks?
            if let block = entry.masks, let names = entry.maskClassNames {
                masks = SegmentationMasks(classNames: names, voidLabel: entry.maskVoidLabel.map { UInt8($0) },
                                          pixels: try bytes(block, expected: n * entry.shape.planeCount, what: "mask"))
            }
            let groups = try entry.groupIDs.map { try int32s($0, count: n, what: "group id") }
            do {
                result[entry.name] = try ImageDataset(shape: entry.shape, pixels: pixels, labels: labels, classNames: entry.classNames,
                                                      attributes: attributes, masks: masks, groupIDs: groups)
            } catch let error as DataError {
                throw malformed("inconsistent split `\(entry.name)`: \(error)")
            }
        }
        return result
    }

    static func padded(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    private static func appendUInt32(_ value: UInt32, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func readUInt32(_ data: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(littleEndian: data.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
