import AssaySupport
import Foundation

extension DatasetArtifact {
    /// Decodes `listing` a block at a time straight into a one-split artifact (split `all`) at `url`:
    /// memory holds one block of decoded images, not the data set, so peak memory does not grow with
    /// the number of images. The bytes equal `write(listing.decode(preprocessing), to: url)`'s.
    ///
    /// `progress(done)` is called before each block with the images decoded so far (it may throw
    /// to cancel; the error is passed through and no file is left behind). Returns the digest of the
    /// bytes written.
    @discardableResult
    public static func writeDecoding(_ listing: ImageListing, preprocessing: ImagePreprocessing, to url: URL, blockSize: Int = 256,
                                     progress: (Int) throws -> Void = { _ in }) throws -> Digest {
        let shape = try ImageBatchDecoder.outputShape(listing.files(0 ..< min(1, listing.count)), preprocessing: preprocessing, listing: (listing.table, listing.lines))
        // Labels and attributes only: a zero-height shape holds no pixels (the layout takes the real shape).
        let metadata = try ImageDataset(shape: SampleShape(channels: shape.channels, height: 0, width: 0), pixels: [], labels: listing.labels,
                                        classNames: listing.classNames, attributes: listing.attributes)
        var summary = metadata.summary
        summary.shape = shape
        return try writeStreamed(SplitLayout(name: "all", dataset: metadata, shape: shape, summary: summary), to: url, pixels: { emitPixels in
            try forEachBlock(count: listing.count, blockSize: blockSize, progress: progress) { range, pixels in
                let decoded = try ImageBatchDecoder.decode(listing.files(range), preprocessing: preprocessing,
                                                           listing: (listing.table, Array(listing.lines[range])), into: &pixels)
                guard decoded == shape else {
                    throw DataError.listed(table: listing.table, line: listing.lines[range.lowerBound], problem: .shapeMismatch(
                        what: "image `\(listing.paths[range.lowerBound])` (or another of its block)", expected: "\(shape) like `\(listing.paths[0])` (declare a resize or crop to make sizes agree)",
                        found: decoded.description))
                }
            } emit: { try $0.withUnsafeBytes(emitPixels) }
        })
    }

    /// Writes one split (named by `layout`) to `url` with its pixel block (and mask block, for a layout
    /// with masks) produced piece by piece by `pixels` and `masks`; the metadata, labels and summary come
    /// from `layout`. An error thrown by a producer is passed through and leaves no file. Returns the
    /// digest of the bytes written.
    @discardableResult
    static func writeStreamed(_ layout: SplitLayout, to url: URL,
                              pixels: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void,
                              masks: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void = { _ in }) throws -> Digest {
        let size = { () -> Int in
            // The artifact's size, for a full disk's message: the layout with zeros for the blocks.
            var total = 0
            let zeros = [UInt8](repeating: 0, count: 1 << 16)
            func emitZeros(_ count: Int, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
                var left = count
                while left > 0 {
                    let k = min(left, zeros.count)
                    try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0 ..< k])) }
                    left -= k
                }
            }
            try? serialize([layout], emit: { total += $0.count }, pixels: { _, emit in try emitZeros(layout.dataset.count * layout.shape.count, emit) },
                           masks: { _, emit in try emitZeros(layout.dataset.count * layout.shape.planeCount, emit) })
            return total
        }
        return try write(to: url, size: size) { emit in
            try serialize([layout], emit: emit, pixels: { _, emitPixels in try withoutActuallyEscaping(emitPixels) { try pixels($0) } },
                          masks: { _, emitMasks in try withoutActuallyEscaping(emitMasks) { try masks($0) } })
        }
    }

    /// Produces `count` items in blocks of `blockSize` (`produce` gets each block's range) and emits each
    /// block in order. A block is emitted on a writer thread while the next one is produced, so decoding
    /// (on every core) overlaps writing and hashing (one thread, mostly waiting on the disk); at most two
    /// blocks are held. Producer errors (and `progress`'s, which sees the items produced before each block)
    /// are marked as such, so `write` passes them through instead of taking them for write failures.
    static func forEachBlock(count: Int, blockSize: Int, progress: (Int) throws -> Void, produce: (Range<Int>) throws -> [UInt8],
                             emit: ([UInt8]) throws -> Void) throws {
        try forEachBlock(count: count, blockSize: blockSize, progress: progress, produce: { range, block in block = try produce(range) }, emit: emit)
    }

    /// Like `forEachBlock(count:blockSize:progress:produce:emit:)`, with `produce` filling a block array
    /// that it is handed back once written: the two arrays in flight are reused block after block, so a
    /// load does not fault in fresh memory for every block (a 38 MB block is above malloc's mmap threshold).
    static func forEachBlock(count: Int, blockSize: Int, progress: (Int) throws -> Void, produce: (Range<Int>, inout [UInt8]) throws -> Void,
                             emit: ([UInt8]) throws -> Void) throws {
        try withoutActuallyEscaping(emit) { emit in
            let writer = DispatchQueue(label: "assay.dataset-block-writer")
            let pending = DispatchGroup()
            // The last emit's outcome and the block it is done with, set by the writer thread and read after `pending.wait()`.
            let emitted = ResultSlots<[UInt8]>(count: 1)
            // The writer may still hold `emit` when a producer fails: it must finish before `emit` goes.
            defer { pending.wait() }
            var spare: [UInt8] = []
            for start in stride(from: 0, to: count, by: max(1, blockSize)) {
                let range = start ..< min(count, start + max(1, blockSize))
                var block = spare
                spare = []
                do {
                    try progress(start)
                    try produce(range, &block)
                } catch {
                    throw ProducerFailure(error: error)
                }
                pending.wait()
                if start > 0 { spare = try emitted.take(0) }
                writer.async(group: pending) { [block] in emitted.set(0, Result { try emit(block); return block }) }
            }
            pending.wait()
            if count > 0 { _ = try emitted.take(0) }
        }
    }
}
