import AssayLearn
import Foundation

/// One split's pooled features kept in scratch files while `features` computes them (a file per layer,
/// rows in data-set order), so the stage holds a batch of features, not the data set's.
final class PooledFeatureSpill {
    /// Columns of each layer (known once a batch has been added).
    private(set) var widths: [Int]
    private(set) var rows = 0
    private let urls: [URL]
    private var writers: [FileHandle]

    /// Empty files `<name>-<layer>.f32` in `directory`, one per layer.
    init(directory: URL, name: String, layers: Int) throws {
        urls = (0..<layers).map { directory.appendingPathComponent("\(name)-\($0).f32") }
        writers = try urls.map { url in
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
            return try FileHandle(forWritingTo: url)
        }
        widths = Array(repeating: 0, count: layers)
    }

    deinit { for writer in writers { try? writer.close() } }

    /// Appends one batch: a block of the same rows for every layer, in layer order.
    func append(_ blocks: [FeatureMatrix]) throws {
        precondition(blocks.count == urls.count && blocks.allSatisfy { $0.rows == blocks[0].rows }, "a batch gives every layer the same rows")
        for (i, block) in blocks.enumerated() {
            widths[i] = block.columns
            try block.values.withUnsafeBytes { try writers[i].write(contentsOf: $0) }
        }
        rows += blocks.first?.rows ?? 0
    }

    /// Rows `range` of layer `layer`, read back.
    func block(layer: Int, rows range: Range<Int>) throws -> FeatureMatrix {
        let width = widths[layer]
        let reader = try FileHandle(forReadingFrom: urls[layer])
        defer { try? reader.close() }
        try reader.seek(toOffset: UInt64(4 * width * range.lowerBound))
        let bytes = try reader.read(upToCount: 4 * width * range.count) ?? Data()
        guard bytes.count == 4 * width * range.count else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: urls[layer].path])
        }
        var values = [Float](repeating: 0, count: width * range.count)
        values.withUnsafeMutableBytes { _ = bytes.copyBytes(to: $0) }
        return FeatureMatrix(rows: range.count, columns: width, values: values)
    }

    /// Calls `body` with consecutive runs of at most `chunkRows` rows of layer `layer`, in order.
    func forEachRun(layer: Int, chunkRows: Int, _ body: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        for start in stride(from: 0, to: rows, by: chunkRows) {
            try block(layer: layer, rows: start..<min(rows, start + chunkRows)).values.withUnsafeBufferPointer(body)
        }
    }
}
