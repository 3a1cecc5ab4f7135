import Foundation

/// Decodes many image files in parallel into one planar pixel block.
///
/// Each file fills its own slot, so the bytes do not depend on scheduling; the
/// first failing file (in list order) is the error reported.
public enum ImageBatchDecoder {
    public static func decode(_ urls: [URL], preprocessing: ImagePreprocessing) throws -> (shape: SampleShape, pixels: [UInt8]) {
        guard let first = urls.first else {
            return (preprocessing.outputShape ?? SampleShape(channels: preprocessing.channels, height: 0, width: 0), [])
        }
        // Without a declared output size, every image must match the first one.
        let shape = try preprocessing.outputShape ?? preprocessing.load(first).shape
        let sampleCount = shape.count
        var pixels = [UInt8](repeating: 0, count: urls.count * sampleCount)
        let errors = ResultSlots<Void>(count: urls.count)
        pixels.withUnsafeMutableBufferPointer { block in
            let base = SendablePointer(block.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: urls.count) { i in
                errors.set(i, Result {
                    let image = try preprocessing.load(urls[i])
                    guard image.shape == shape else {
                        throw DataError.shapeMismatch(what: "image `\(urls[i].path)`", expected: "\(shape) like `\(first.path)` (declare a resize or crop to make sizes agree)", found: image.shape.description)
                    }
                    let planar = image.planar
                    planar.withUnsafeBufferPointer { src in
                        (base.pointer + i * sampleCount).update(from: src.baseAddress!, count: sampleCount)
                    }
                })
            }
        }
        if let error = errors.firstError() { throw error }
        return (shape, pixels)
    }
}

/// A pointer handed to parallel workers that write disjoint ranges.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
