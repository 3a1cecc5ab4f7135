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
        stratifiedSplit(groups: groups, rows: rows, fraction: 0.5, random: &random)
    }

    /// Splits `rows` (all when nil) in two parts stratified by group: each group's members
    /// are shuffled and its first ⌊fraction · nᵍ⌋ go to the first part, the rest to the
    /// second. Both parts are returned sorted; they are disjoint and cover `rows`.
    public static func stratifiedSplit(groups: [Int32], rows: [Int]? = nil, fraction: Double,
                                       random: inout SeededRandom) -> (first: [Int], second: [Int]) {
        var first: [Int] = [], second: [Int] = []
        for (_, members) in indicesByGroup(groups, rows: rows) {
            var shuffled = members
            random.shuffle(&shuffled)
            let cut = min(shuffled.count, max(0, Int((fraction * Double(shuffled.count)).rounded(.down))))
            first.append(contentsOf: shuffled[0..<cut])
            second.append(contentsOf: shuffled[cut...])
        }
        return (first.sorted(), second.sorted())
    }

    /// Sample weights inversely proportional to group size among `rows` (all when nil):
    /// row i of group g weighs `m / (G · mᵍ)` (m rows, G groups, mᵍ rows of group g), so every
    /// group carries the same total weight and the weights average 1. One entry per element of
    /// `groups`; rows outside `rows` weigh 1 (unused by a fit on `rows`).
    public static func inverseGroupSizeWeights(groups: [Int32], rows: [Int]? = nil) -> [Double] {
        let byGroup = indicesByGroup(groups, rows: rows)
        let total = byGroup.reduce(0) { $0 + $1.rows.count }
        var weights = [Double](repeating: 1, count: groups.count)
        for (_, members) in byGroup {
            let w = Double(total) / (Double(byGroup.count) * Double(members.count))
            for i in members { weights[i] = w }
        }
        return weights
    }
}
