import Foundation

extension DatasetArtifact {
    /// Decodes `listing` a block at a time straight into a one-split artifact (split `all`) at `url`:
    /// memory holds one block of decoded images, not the data set, so peak memory does not grow with
    /// the number of images. The bytes equal `write(listing.decode(preprocessing), to: url)`'s.
    ///
    /// `progress(done)` is called before each block with the images written so far (it may throw
    /// to cancel; the error is passed through and no file is left behind).
    public static func writeDecoding(_ listing: ImageListing, preprocessing: ImagePreprocessing, to url: URL, blockSize: Int = 512,
                                     progress: (Int) throws -> Void = { _ in }) throws {
        let shape: SampleShape
        if let fixed = preprocessing.outputShape {
            shape = fixed
        } else if let first = listing.files.first {
            // Without a declared output size, every image must match the first one.
            shape = try ImageBatchDecoder.decode([first], preprocessing: preprocessing, listing: (listing.table, [listing.lines[0]])).shape
        } else {
            shape = SampleShape(channels: preprocessing.channels, height: 0, width: 0)
        }
        // Labels and attributes only: a zero-height shape holds no pixels (the layout takes the real shape).
        let metadata = try ImageDataset(shape: SampleShape(channels: shape.channels, height: 0, width: 0), pixels: [], labels: listing.labels,
                                        classNames: listing.classNames, attributes: listing.attributes)
        var summary = metadata.summary
        summary.shape = shape
        let layout = SplitLayout(name: "all", dataset: metadata, shape: shape, summary: summary)
        let size = { () -> Int in
            var total = 0
            let zeros = [UInt8](repeating: 0, count: 1 << 16)
            try? serialize([layout], emit: { total += $0.count }, pixels: { _, emit in
                var left = listing.count * shape.count
                while left > 0 {
                    let k = min(left, zeros.count)
                    try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0 ..< k])) }
                    left -= k
                }
            })
            return total
        }
        try write(to: url, size: size) { emit in
            try serialize([layout], emit: emit) { _, emitPixels in
                for start in stride(from: 0, to: listing.count, by: max(1, blockSize)) {
                    let range = start ..< min(listing.count, start + max(1, blockSize))
                    let decoded: (shape: SampleShape, pixels: [UInt8])
                    do {
                        try progress(start)
                        decoded = try ImageBatchDecoder.decode(Array(listing.files[range]), preprocessing: preprocessing,
                                                               listing: (listing.table, Array(listing.lines[range])))
                    } catch {
                        throw ProducerFailure(error: error)
                    }
                    guard decoded.shape == shape else {
                        throw DataError.listed(table: listing.table, line: listing.lines[start], problem: .shapeMismatch(
                            what: "image `\(listing.files[start].path)` (or another of its block)", expected: "\(shape) like `\(listing.files[0].path)` (declare a resize or crop to make sizes agree)",
                            found: decoded.shape.description))
                    }
                    try decoded.pixels.withUnsafeBytes(emitPixels)
                }
            }
        }
    }
}
