import AssaySupport

/// Seeded group-aware subsampling: the balanced subsamples and the stratified
/// halves that DFR and Head2Toe are built on.
public enum GroupSampling {
    /// Indices of `rows` (all when nil) arranged by group id, ascending, each list in row order.
    public static func indicesByGroup(_ groups: [Int32], rows: [Int]? = nil) -> [(group: Int32, rows: [Int])] {
        var byGroup: [Int32: [Int]] = [:]
        for i in rows ?? Array(groups.indices) { byGroup[groups[i], default: []].append(i) }
        return byGroup.keys.sorted().map { ($0, byGroup[$0]!) }
    }

    /// A group-balanced subsample: every group present in `rows` is subsampled
    /// without replacement to the size of the smallest one. Returned sorted.
    public static func balancedSubsample(groups: [Int32], rows: [Int]? = nil,
                                         random: inout SeededRandom) throws -> [Int] {
        let byGroup = indicesByGroup(groups, rows: rows)
        guard let smallest = byGroup.map({ $0.rows.count }).min(), smallest > 0 else {
            throw LearnError.empty(what: "group-balanced subsample (no examples)")
        }
        var picked: [Int] = []
        picked.reserveCapacity(smallest * byGroup.count)
        for (_, members) in byGroup {
            var shuffled = members
            random.shuffle(&shuffled)
            picked.append(contentsOf: shuffled[0..<smallest])
        }
        return picked.sorted()
    }

    /// Splits `rows` (all when nil) into two halves stratified by group: each group's
    /// members are shuffled and its first ⌊nᵍ/2⌋ go to the first half, the rest to the second.
    public static func stratifiedHalves(groups: [Int32], rows: [Int]? = nil,
                                        random: inout SeededRandom) -> (first: [Int], second: [Int]) {
        var first: [Int] = [], second: [Int] = []
        for (_, members) in indicesByGroup(groups, rows: rows) {
            var shuffled = members
            random.shuffle(&shuffled)
            let half = shuffled.count / 2
            first.append(contentsOf: shuffled[0..<half])
            second.append(contentsOf: shuffled[half...])
        }
        return (first.sorted(), second.sorted())
    }
}
