/// Classification metrics on label vectors.
public enum Metrics {
    /// Fraction of positions where `predicted` equals `truth`: `(1/n) Σᵢ [ŷᵢ = yᵢ]`; 0 for empty input.
    public static func accuracy(predicted: [Int32], truth: [Int32]) -> Double {
        precondition(predicted.count == truth.count, "accuracy: \(predicted.count) predictions for \(truth.count) labels")
        guard !truth.isEmpty else { return 0 }
        var correct = 0
        for i in truth.indices where predicted[i] == truth[i] { correct += 1 }
        return Double(correct) / Double(truth.count)
    }

    /// Cosine similarity `⟨a, b⟩ / (||a|| ||b||)`, computed in Double; 0 when either vector is zero.
    public static func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "cosineSimilarity: vectors of length \(a.count) and \(b.count)")
        var dot = 0.0, aa = 0.0, bb = 0.0
        for i in a.indices {
            let x = Double(a[i]), y = Double(b[i])
            dot += x * y; aa += x * x; bb += y * y
        }
        guard aa > 0, bb > 0 else { return 0 }
        return dot / (aa.squareRoot() * bb.squareRoot())
    }
}
