import AssayData
import AssayNN

/// How data set pixels become a network's inputs: the model's declared per-channel mean/std
/// (x' = (x/255 − mean_c)/std_c), else pixels in [0, 1].
struct NetworkInputs {
    let shape: SampleShape
    let normalization: PixelNormalization

    init(network: SpecNetwork, shape: SampleShape) {
        self.shape = shape
        normalization = PixelNormalization(expectedBy: network.spec)
    }

    /// The examples at `indices` as one `[N, C, H, W]` input tensor.
    func batch(_ dataset: ImageDataset, _ indices: [Int]) -> Tensor {
        let iterator = BatchIterator(dataset: dataset, batchSize: max(1, indices.count), shuffleSeed: nil, normalization: normalization, indices: indices)
        var images = [Float](repeating: 0, count: indices.count * shape.count)
        _ = images.withUnsafeMutableBufferPointer { iterator.fill(batch: 0, images: $0, labels: nil) }
        return Tensor(images, shape: [indices.count, shape.channels, shape.height, shape.width])
    }

    /// Images with values in [0, 1] (`[N, C, H, W]`, in the graph) normalised like the data:
    /// x' = (x − mean_c)/std_c, differentiable in x (``PixelNormalization/applied(toUnitRange:)``).
    func normalized(_ unitRange: Tensor) -> Tensor { normalization.applied(toUnitRange: unitRange) }

    /// Calls `body` with consecutive batches of the examples `indices` (default: all).
    func forEachBatch(_ dataset: ImageDataset, batchSize: Int, indices: [Int]? = nil, _ body: (Tensor, ArraySlice<Int>) throws -> Void) rethrows {
        let all = indices ?? Array(0..<dataset.count)
        var start = 0
        while start < all.count {
            let members = all[start..<min(all.count, start + batchSize)]
            try body(batch(dataset, Array(members)), members)
            start += batchSize
        }
    }
}
