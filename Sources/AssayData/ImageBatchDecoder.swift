import Foundation

/// Decodes many image files in parallel (`DataWorkers`) into one planar pixel block, each resized
/// straight from its decoded rows into its slot (`ImagePreprocessing.Prepared.writePlanar`).
///
/// Each file fills its own slot, so the bytes do not depend on scheduling; the
/// first failing file (in list order) is the error reported. Files listed in a metadata
/// table pass `listing` (the table's path and each file's line) so that error names the row.
public enum ImageBatchDecoder {
    public static func decode(
        _ urls: [URL], preprocessing: ImagePreprocessing, listing: (table: String, lines: [Int])? = nil
    ) throws -> (shape: SampleShape, pixels: [UInt8]) {
        var pixels: [UInt8] = []
        let shape = try decode(urls, preprocessing: preprocessing, listing: listing, into: &pixels)
        return (shape, pixels)
    }

    /// Like `decode(_:preprocessing:listing:)`, into `pixels` (replacing its contents, reusing its memory: a
    /// loader decoding block after block into the same arrays touches no fresh pages).
    public static func decode(
        _ urls: [URL], preprocessing: ImagePreprocessing, listing: (table: String, lines: [Int])? = nil, into pixels: inout [UInt8]
    ) throws -> SampleShape {
        do { return try decodeAll(urls, preprocessing: preprocessing, into: &pixels) } catch let failure as IndexedFailure {
            guard let listing, let problem = failure.error as? DataError, failure.index < listing.lines.count else { throw failure.error }
            throw DataError.listed(table: listing.table, line: listing.lines[failure.index], problem: problem)
        }
    }

    /// The shape every image of `urls` decodes to: the declared output size, else the first image's
    /// (zero-height for an empty list without one).
    public static func outputShape(_ urls: [URL], preprocessing: ImagePreprocessing, listing: (table: String, lines: [Int])? = nil) throws -> SampleShape {
        if let fixed = preprocessing.outputShape { return fixed }
        guard let first = urls.first else { return SampleShape(channels: preprocessing.channels, height: 0, width: 0) }
        return try decode([first], preprocessing: preprocessing, listing: listing.map { ($0.table, Array($0.lines.prefix(1))) }).shape
    }

    /// The first failing file's position in the list, and its error.
    private struct IndexedFailure: Error {
        var index: Int
        var error: Error
    }

    private static func decodeAll(_ urls: [URL], preprocessing: ImagePreprocessing, into pixels: inout [UInt8]) throws -> SampleShape {
        guard let first = urls.first else {
            pixels.removeAll(keepingCapacity: true)
            return preprocessing.outputShape ?? SampleShape(channels: preprocessing.channels, height: 0, width: 0)
        }
        // Without a declared output size, every image must match the first one.
        let shape: SampleShape
        do { shape = try preprocessing.outputShape ?? preprocessing.prepare(first).shape } catch { throw IndexedFailure(index: 0, error: error) }
        let sampleCount = shape.count
        // Every slot is overwritten, so an array of the right size is reused as it is (a smaller one is cut
        // short in place); appending zeros element by element cost more than a second of a 10k-image load.
        let needed = urls.count * sampleCount
        if pixels.count > needed {
            pixels.removeLast(pixels.count - needed)
        } else if pixels.count < needed {
            pixels = [UInt8](repeating: 0, count: needed)
        }
        let errors = ResultSlots<Void>(count: urls.count)
        pixels.withUnsafeMutableBufferPointer { block in
            let base = SendablePointer(block.baseAddress!)
            DataWorkers.forEach(urls.count) { i in
                errors.set(i, Result {
                    let image: ImagePreprocessing.Prepared
                    do { image = try preprocessing.prepare(urls[i]) } catch { throw IndexedFailure(index: i, error: error) }
                    guard image.shape == shape else {
                        throw IndexedFailure(index: i, error: DataError.shapeMismatch(what: "image `\(urls[i].path)`", expected: "\(shape) like `\(first.path)` (declare a resize or crop to make sizes agree)", found: image.shape.description))
                    }
                    image.writePlanar(into: base.pointer + i * sampleCount)
                })
            }
        }
        if let error = errors.firstError() { throw error }
        return shape
    }
}

/// A pointer handed to parallel workers that write disjoint ranges.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
