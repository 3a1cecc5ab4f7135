import AssaySupport

/// How much of a data set a split takes.
public enum SplitAmount: Hashable, Codable, Sendable {
    /// A fraction in (0, 1] of the examples, rounded to the nearest count.
    case fraction(Double)
    /// An exact number of examples.
    case count(Int)
}

/// Seeded random splits: by fractions or sizes, and "carve `val` out of `train`".
///
/// Each split keeps its examples in their original order, so the split depends
/// only on the seed and the data set's order.
public enum DatasetSplitter {
    /// Splits `dataset` into consecutive parts of a seeded permutation. The parts
    /// must not ask for more examples than there are; if the amounts are all
    /// fractions summing to 1, the last part takes the rounding remainder.
    public static func split(_ dataset: ImageDataset, into parts: [(name: String, amount: SplitAmount)], seed: UInt64) throws -> DatasetSplits {
        let n = dataset.count
        var sizes = try parts.map { try size(of: $0.amount, total: n, name: $0.name) }
        let fractionSum = parts.reduce(0.0) { sum, part in
            if case let .fraction(f) = part.amount { return sum + f }
            return sum
        }
        let allFractions = parts.allSatisfy { if case .fraction = $0.amount { return true } else { return false } }
        if allFractions, abs(fractionSum - 1) < 1e-9, !sizes.isEmpty {
            sizes[sizes.count - 1] = n - sizes.dropLast().reduce(0, +)
        }
        let total = sizes.reduce(0, +)
        if total > n {
            throw DataError.invalidParameter(name: "split sizes", value: "\(sizes) (total \(total))", expected: "at most the \(n) examples available")
        }
        var random = SeededRandom(seed: seed)
        let order = random.permutation(n)
        var result = DatasetSplits()
        var start = 0
        for (part, size) in zip(parts, sizes) {
            let indices = order[start ..< start + size].sorted()
            result[part.name] = dataset.subset(indices)
            start += size
        }
        return result
    }

    /// Moves `amount` examples of split `source` into a new split `name`
    /// (e.g. `val` from `train`); the new split goes right after the source.
    public static func carve(_ name: String, amount: SplitAmount, from source: String, of splits: DatasetSplits, seed: UInt64) throws -> DatasetSplits {
        let base = try splits.split(source)
        let parts = try split(base, into: [(source, .count(base.count - size(of: amount, total: base.count, name: name))), (name, amount)], seed: seed)
        var result = DatasetSplits()
        for existing in splits.names where existing != name {
            if existing == source {
                result[source] = parts[source]
                result[name] = parts[name]
            } else {
                result[existing] = splits[existing]
            }
        }
        return result
    }

    private static func size(of amount: SplitAmount, total: Int, name: String) throws -> Int {
        switch amount {
        case let .fraction(f):
            guard f > 0, f <= 1 else {
                throw DataError.invalidParameter(name: "split `\(name)`", value: "\(f)", expected: "a fraction in (0, 1]")
            }
            return Int((f * Double(total)).rounded())
        case let .count(c):
            guard c >= 0, c <= total else {
                throw DataError.invalidParameter(name: "split `\(name)`", value: "\(c)", expected: "a size in 0...\(total)")
            }
            return c
        }
    }
}
