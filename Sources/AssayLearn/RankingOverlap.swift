/// Overlap of top-k sets and of arbitrary sets (interpretation-manipulation metrics).
public enum RankingOverlap {
    /// Indices of the `k` largest scores, best first; ties go to the lower index.
    public static func topK(_ scores: [Float], k: Int) -> [Int] {
        let k = max(0, min(k, scores.count))
        return Array(scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(k))
    }

    /// `|top_k(a) ∩ top_k(b)|`: how many of the k highest-scoring items two score
    /// vectors over the same items share (0…k).
    public static func topKOverlap(_ a: [Float], _ b: [Float], k: Int) -> Int {
        precondition(a.count == b.count, "topKOverlap: score vectors of length \(a.count) and \(b.count)")
        return Set(topK(a, k: k)).intersection(topK(b, k: k)).count
    }

    /// Jaccard index `|A ∩ B| / |A ∪ B|`; 1 for two empty sets (they are identical).
    public static func jaccard<Element: Hashable>(_ a: Set<Element>, _ b: Set<Element>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
    }
}
