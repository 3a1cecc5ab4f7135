import AssayData
import AssayNN

/// A unit's score on every example of a data set (its full activation ranking), with the
/// network's predicted class of each example (for accuracy).
struct UnitRanking {
    var scores: [Float]
    var predictions: [Int32]

    /// Evaluation-mode pass without gradients, in data set order.
    static func measure(_ network: SpecNetwork, unit: NetworkUnit, dataset: ImageDataset, batchSize: Int = 256,
                        stage: String, cancelled: () throws -> Void) throws -> UnitRanking {
        let inputs = NetworkInputs(network: network, shape: dataset.shape)
        var scores: [Float] = [], predictions: [Int32] = []
        scores.reserveCapacity(dataset.count)
        try Autograd.withoutGradients {
            try inputs.forEachBatch(dataset, batchSize: batchSize) { x, _ in
                try cancelled()
                let (logits, s) = try unit.forward(network, x, stage: stage)
                scores += s.data
                predictions += argmaxRows(logits)
            }
        }
        return UnitRanking(scores: scores, predictions: predictions)
    }

    /// Indices of the k highest scores, ties broken by the lower index (deterministic).
    static func top(_ scores: [Float], k: Int) -> [Int] {
        Array(descendingOrder(scores).prefix(k))
    }

    /// All indices sorted by descending score, ties by index.
    static func descendingOrder(_ scores: [Float]) -> [Int] {
        scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    func accuracy(labels: [Int32]) -> Double {
        guard !labels.isEmpty else { return .nan }
        return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
}

/// The argmax of each row of `[N, C]` logits (first maximum wins).
func argmaxRows(_ logits: Tensor) -> [Int32] {
    guard logits.rank == 2 else { return [] }
    let c = logits.shape[1]
    return (0..<logits.shape[0]).map { n in
        var best = 0
        for k in 1..<max(1, c) where logits.data[n * c + k] > logits.data[n * c + best] { best = k }
        return Int32(best)
    }
}
