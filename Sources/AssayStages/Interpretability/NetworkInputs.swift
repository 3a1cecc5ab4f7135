import AssayData
import AssayNN

/// How data set pixels become a network's inputs: the model's declared per-channel mean/std
/// (x' = (x/255 − mean_c)/std_c), else pixels in [0, 1].
struct NetworkInputs {
    let shape: SampleShape
    let normalization: PixelNormalization

    init(network: SpecNetwork, shape: SampleShape) {
        self.shape = shape
        let spec = network.spec
        if !spec.normalizeMean.isEmpty, spec.normalizeMean.count == spec.normalizeStd.count {
            normalization = PixelNormalization(mean: spec.normalizeMean.map { Float($0) }, std: spec.normalizeStd.map { Float($0) })
        } else {
            normalization = .unitRange
        }
    }

    /// The examples at `indices` as one `[N, C, H, W]` input tensor.
    func batch(_ dataset: ImageDataset, _ indices: [Int]) -> Tensor {
        let iterator = BatchIterator(dataset: dataset, batchSize: max(1, indices.count), shuffleSeed: nil, normalization: normalization, indices: indices)
        var images = [Float](repeating: 0, count: indices.count * shape.count)
        _ = images.withUnsafeMutableBufferPointer { iterator.fill(batch: 0, images: $0, labels: nil) }
        return Tensor(images, shape: [indices.count, shape.channels, shape.height, shape.width])
    }

    /// Images with values in [0, 1] (`[N, C, H, W]`, in the graph) normalised like the data:
    /// x' = (x − mean_c)/std_c, built from constant per-element tensors so gradients flow to x.
    func normalized(_ unitRange: Tensor) -> Tensor {
        let mean = normalization.mean, std = normalization.std
        if mean.allSatisfy({ $0 == 0 }) && std.allSatisfy({ $0 == 1 }) { return unitRange }
        let plane = shape.height * shape.width
        var scale = [Float](repeating: 1, count: unitRange.count), shift = scale
        for i in 0..<unitRange.count {
            let c = (i / plane) % shape.channels
            let m = mean[min(c, mean.count - 1)], s = std[min(c, std.count - 1)]
            scale[i] = 1 / s
            shift[i] = -m / s
        }
        return unitRange * Tensor(scale, shape: unitRange.shape) + Tensor(shift, shape: unitRange.shape)
    }

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
