import AssaySupport

/// Every example's group under a `GroupScheme`, with the tools group-robustness
/// methods need: counts, balanced subsamples, inverse-frequency weights, and
/// stratified halves for tuning.
public struct GroupAssignment: Hashable, Sendable {
    public var scheme: GroupScheme
    /// One group id per example.
    public var ids: [Int32]

    public init(scheme: GroupScheme, ids: [Int32]) {
        self.scheme = scheme
        self.ids = ids
    }

    /// Examples per group, indexed by group id.
    public var counts: [Int] {
        var c = [Int](repeating: 0, count: scheme.groupCount)
        for g in ids { c[Int(g)] += 1 }
        return c
    }

    /// The table rows: group id, name, count.
    public var table: [(group: Int, name: String, count: Int)] {
        counts.enumerated().map { ($0.offset, scheme.name(of: $0.offset), $0.element) }
    }

    /// Example indices of each group, in increasing order.
    public var members: [[Int]] {
        var m = [[Int]](repeating: [], count: scheme.groupCount)
        for (i, g) in ids.enumerated() { m[Int(g)].append(i) }
        return m
    }

    /// Throws `emptyGroup` for the first group without examples, naming it.
    public func requireNonEmpty(context: String) throws {
        if let g = counts.firstIndex(of: 0) {
            throw DataError.emptyGroup(group: scheme.name(of: g), context: context)
        }
    }

    /// Every group subsampled without replacement to the size of the smallest
    /// group (seeded); returns the chosen indices in increasing order.
    /// Restricted to `within` when given (e.g. one tuning half).
    public func balancedSubsample(seed: UInt64, within: [Int]? = nil) throws -> [Int] {
        var random = SeededRandom(seed: seed)
        var groups = [[Int]](repeating: [], count: scheme.groupCount)
        for i in within ?? Array(ids.indices) { groups[Int(ids[i])].append(i) }
        if let g = groups.firstIndex(where: \.isEmpty) {
            throw DataError.emptyGroup(group: scheme.name(of: g), context: "the examples to balance")
        }
        let size = groups.map(\.count).min()!
        var chosen: [Int] = []
        for var members in groups {
            random.shuffle(&members)
            chosen += members.prefix(size)
        }
        return chosen.sorted()
    }

    /// w_i = N / (G · n_{g(i)}): weights averaging 1 over the data, equal total weight per group.
    /// Examples of empty groups do not exist, so every weight is finite.
    public func inverseFrequencyWeights() -> [Float] {
        let c = counts
        let nonEmpty = c.filter { $0 > 0 }.count
        let n = Double(ids.count)
        return ids.map { Float(n / (Double(nonEmpty) * Double(c[Int($0)]))) }
    }

    /// Two disjoint halves stratified by group (each group split ⌈n/2⌉ / ⌊n/2⌋ by a
    /// seeded shuffle), both in increasing order; together they cover every example.
    public func halves(seed: UInt64) -> (first: [Int], second: [Int]) {
        var random = SeededRandom(seed: seed)
        var first: [Int] = [], second: [Int] = []
        for var group in members {
            random.shuffle(&group)
            let half = (group.count + 1) / 2
            first += group.prefix(half)
            second += group.dropFirst(half)
        }
        return (first.sorted(), second.sorted())
    }

    /// Checks that `parts` are pairwise disjoint and, if `covering` is true, cover 0..<total.
    public static func checkPartition(_ parts: [[Int]], total: Int, covering: Bool = true) throws {
        var owner = [Int](repeating: -1, count: total)
        for (k, part) in parts.enumerated() {
            for i in part {
                guard i >= 0 && i < total else {
                    throw DataError.invalidPartition(reason: "part \(k) holds index \(i), outside 0..<\(total)")
                }
                if owner[i] >= 0 {
                    throw DataError.invalidPartition(reason: "example \(i) is in both part \(owner[i]) and part \(k)")
                }
                owner[i] = k
            }
        }
        if covering, let missing = owner.firstIndex(of: -1) {
            throw DataError.invalidPartition(reason: "example \(missing) is in no part (\(owner.filter { $0 < 0 }.count) uncovered)")
        }
    }
}

extension ImageDataset {
    /// The groups label × `attributes` (in that order); see `GroupScheme` for the numbering.
    /// The label is always the leading factor; a leading `label` in the list (as in
    /// `by: [label, border]`) is accepted and means the same.
    /// With `requireAll`, an empty group is an error naming it.
    public func groups(by names: [String], requireAll: Bool = true) throws -> GroupAssignment {
        let attributeNames = names.first == "label" ? Array(names.dropFirst()) : names
        let attributes = try attributeNames.map { try attribute(named: $0) }
        let scheme = GroupScheme(classNames: classNames, attributeNames: attributeNames, attributeValueNames: attributes.map(\.valueNames))
        var ids = [Int32](repeating: 0, count: count)
        for i in 0 ..< count {
            ids[i] = Int32(scheme.group(label: Int(labels[i]), values: attributes.map { Int($0.values[i]) }))
        }
        let assignment = GroupAssignment(scheme: scheme, ids: ids)
        if requireAll {
            try assignment.requireNonEmpty(context: "a data set of \(count) examples grouped by label × \(attributeNames.joined(separator: " × "))")
        }
        return assignment
    }

    /// A copy whose `groupIDs` are label × `attributes`.
    public func withGroups(by attributeNames: [String], requireAll: Bool = true) throws -> ImageDataset {
        var copy = self
        copy.groupIDs = try groups(by: attributeNames, requireAll: requireAll).ids
        return copy
    }
}
