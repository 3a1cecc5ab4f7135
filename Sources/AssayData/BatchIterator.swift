import AssaySupport

/// One batch: its example indices, Float images (B·C·H·W), labels, and per-pixel
/// classes (B·H·W) for data sets with masks.
public struct Batch: Sendable {
    public var indices: [Int]
    public var shape: SampleShape
    public var images: [Float]
    public var labels: [Int32]
    public var masks: [Int32]?
    public var count: Int { indices.count }
}

/// Batches over a data set in a seeded order: epoch e of seed s uses the
/// permutation of stream e, so every epoch differs and reruns repeat exactly.
///
/// Either iterate (`for batch in iterator`) to get fresh arrays, or call
/// `fill(batch:images:labels:)` with buffers the caller owns (e.g. a tensor's
/// storage) to avoid a second copy.
///
/// This is the one way stages turn stored uint8 images into network inputs: a data set read
/// from its artifact stays memory-mapped, each batch is converted when asked for and its pages
/// are released after, so a pass over the data holds a batch, not the data set.
public struct BatchIterator: Sequence, IteratorProtocol {
    public let dataset: ImageDataset
    public let batchSize: Int
    public let dropLast: Bool
    public let normalization: PixelNormalization
    /// The example order of this epoch.
    public let order: [Int]
    private var nextBatch = 0

    /// - Parameters:
    ///   - shuffleSeed: nil keeps the data set order.
    ///   - indices: iterate only these examples (e.g. a balanced subsample).
    public init(dataset: ImageDataset, batchSize: Int, shuffleSeed: UInt64?, epoch: Int = 0, dropLast: Bool = false,
                normalization: PixelNormalization = .unitRange, indices: [Int]? = nil) {
        precondition(batchSize > 0, "batch size must be positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.normalization = normalization
        var order = indices ?? Array(0 ..< dataset.count)
        if let shuffleSeed {
            var random = SeededRandom(seed: shuffleSeed, stream: UInt64(epoch))
            random.shuffle(&order)
        }
        self.order = order
    }

    /// Batches per epoch: ⌊n/B⌋ when dropping the last partial batch, else ⌈n/B⌉.
    public var batchCount: Int { dropLast ? order.count / batchSize : (order.count + batchSize - 1) / batchSize }

    public func indices(ofBatch b: Int) -> ArraySlice<Int> {
        order[b * batchSize ..< Swift.min(order.count, (b + 1) * batchSize)]
    }

    /// Writes batch `b`'s normalised images (B·C·H·W) and labels into the buffers;
    /// returns the number of examples written. Buffers must hold a full batch.
    @discardableResult
    public func fill(batch b: Int, images: UnsafeMutableBufferPointer<Float>, labels: UnsafeMutableBufferPointer<Int32>?) -> Int {
        let members = indices(ofBatch: b)
        let sample = dataset.shape.count, plane = dataset.shape.planeCount, channels = dataset.shape.channels
        precondition(images.count >= members.count * sample, "image buffer holds \(images.count) values, batch needs \(members.count * sample)")
        dataset.pixels.withUnsafeBufferPointer { src in
            for (k, i) in members.enumerated() {
                for c in 0 ..< channels {
                    normalization.convert(src.baseAddress! + i * sample + c * plane, to: images.baseAddress! + k * sample + c * plane,
                                          count: plane, channel: c)
                }
                dataset.pixels.release(i * sample ..< (i + 1) * sample)
            }
        }
        if let labels {
            precondition(labels.count >= members.count, "label buffer too small")
            for (k, i) in members.enumerated() { labels[k] = dataset.labels[i] }
        }
        return members.count
    }

    /// Writes batch `b`'s masks (B·H·W class indices; the void label keeps its value).
    @discardableResult
    public func fillMasks(batch b: Int, into buffer: UnsafeMutableBufferPointer<Int32>) -> Int {
        guard let masks = dataset.masks else { return 0 }
        let members = indices(ofBatch: b)
        let plane = dataset.shape.planeCount
        precondition(buffer.count >= members.count * plane, "mask buffer too small")
        masks.pixels.withUnsafeBufferPointer { src in
            for (k, i) in members.enumerated() {
                for p in 0 ..< plane { buffer[k * plane + p] = Int32(src[i * plane + p]) }
                masks.pixels.release(i * plane ..< (i + 1) * plane)
            }
        }
        return members.count
    }

    /// Batch `b` as fresh arrays.
    public func batch(_ b: Int) -> Batch {
        let members = indices(ofBatch: b)
        var images = [Float](repeating: 0, count: members.count * dataset.shape.count)
        var labels = [Int32](repeating: 0, count: members.count)
        images.withUnsafeMutableBufferPointer { im in
            labels.withUnsafeMutableBufferPointer { lb in _ = fill(batch: b, images: im, labels: lb) }
        }
        var masks: [Int32]?
        if dataset.masks != nil {
            var m = [Int32](repeating: 0, count: members.count * dataset.shape.planeCount)
            m.withUnsafeMutableBufferPointer { _ = fillMasks(batch: b, into: $0) }
            masks = m
        }
        return Batch(indices: Array(members), shape: dataset.shape, images: images, labels: labels, masks: masks)
    }

    public mutating func next() -> Batch? {
        guard nextBatch < batchCount else { return nil }
        defer { nextBatch += 1 }
        return batch(nextBatch)
    }
}
