import AssayData
import AssayNN
import AssayTensor

/// Batched evaluation-mode passes of a network over a data set, without gradients.
enum NetworkInference {
    /// Calls `body` with each batch's input tensor and its example range, in data-set order.
    static func forEachBatch(of dataset: ImageDataset, batchSize: Int, normalization: PixelNormalization,
                             _ body: (Tensor, Range<Int>) throws -> Void) rethrows {
        let iterator = BatchIterator(dataset: dataset, batchSize: batchSize, shuffleSeed: nil, normalization: normalization)
        let shape = dataset.shape
        for b in 0..<iterator.batchCount {
            let members = iterator.indices(ofBatch: b)
            var images = [Float](repeating: 0, count: members.count * shape.count)
            _ = images.withUnsafeMutableBufferPointer { iterator.fill(batch: b, images: $0, labels: nil) }
            let x = Tensor(images, shape: [members.count, shape.channels, shape.height, shape.width])
            try body(x, members.startIndex..<members.endIndex)
        }
    }

    /// The predicted class (argmax of the logits) of every example.
    static func predictions(of network: SpecNetwork, on dataset: ImageDataset, batchSize: Int,
                            cancelled: () throws -> Void = {}) rethrows -> [Int32] {
        network.eval()
        var predicted: [Int32] = []
        predicted.reserveCapacity(dataset.count)
        try Autograd.withoutGradients {
            try forEachBatch(of: dataset, batchSize: batchSize, normalization: PixelNormalization(expectedBy: network.spec)) { x, _ in
                try cancelled()
                predicted += argmax(network(x))
            }
        }
        return predicted
    }

    /// Row-wise argmax of `[N, K]` logits (the first maximum wins).
    static func argmax(_ logits: Tensor) -> [Int32] {
        let n = logits.shape[0], k = logits.shape[1]
        return (0..<n).map { i in
            var best = 0
            for c in 1..<k where logits.data[i * k + c] > logits.data[i * k + best] { best = c }
            return Int32(best)
        }
    }
}
