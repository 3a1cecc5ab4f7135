/// Accuracy broken down by group (a group is e.g. a (label, attribute) pair):
/// the per-group table, worst-group accuracy, and mean accuracy plain or
/// reweighted to another group distribution.
public struct GroupAccuracy: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var group: Int32
        public var count: Int
        public var correct: Int
        /// `correct / count`.
        public var accuracy: Double

        public init(group: Int32, count: Int, correct: Int) {
            self.group = group
            self.count = count
            self.correct = correct
            accuracy = count == 0 ? 0 : Double(correct) / Double(count)
        }
    }

    /// One row per group present in the evaluated data, ascending group id.
    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// Tallies predictions per group.
    public init(predicted: [Int32], truth: [Int32], groups: [Int32]) throws {
        guard predicted.count == truth.count else {
            throw LearnError.countMismatch(what: "predictions", expected: truth.count, found: predicted.count)
        }
        guard groups.count == truth.count else {
            throw LearnError.countMismatch(what: "group ids", expected: truth.count, found: groups.count)
        }
        guard !truth.isEmpty else { throw LearnError.empty(what: "evaluation set") }
        var tally: [Int32: (count: Int, correct: Int)] = [:]
        for i in truth.indices {
            var entry = tally[groups[i], default: (0, 0)]
            entry.count += 1
            if predicted[i] == truth[i] { entry.correct += 1 }
            tally[groups[i]] = entry
        }
        rows = tally.keys.sorted().map { g in
            let t = tally[g]!
            return Row(group: g, count: t.count, correct: t.correct)
        }
    }

    /// `min_g acc_g` over the groups present.
    public var worstGroupAccuracy: Double { rows.map(\.accuracy).min() ?? 0 }

    /// The group attaining the worst accuracy (lowest id among ties).
    public var worstGroup: Int32? { rows.min { $0.accuracy < $1.accuracy }?.group }

    /// Plain mean accuracy over all examples: `Σ_g correct_g / Σ_g count_g`.
    public var meanAccuracy: Double {
        let total = rows.reduce(0) { $0 + $1.count }
        return total == 0 ? 0 : Double(rows.reduce(0) { $0 + $1.correct }) / Double(total)
    }

    /// Mean accuracy reweighted to a group distribution: `Σ_g π_g acc_g` with
    /// `π_g = w_g / Σ w`. Pass the training set's group counts to report accuracy
    /// under the training distribution, as the DFR paper does for Waterbirds.
    /// Every group with positive weight must be present in the evaluated data.
    public func reweightedAccuracy(weights: [Int32: Double]) throws -> Double {
        // Sum in group order: a dictionary's order changes from process to process, and with it
        // the last bit of a floating-point sum (artifacts must be bit-identical across machines).
        let ordered = weights.keys.sorted().map { ($0, weights[$0]!) }
        let total = ordered.reduce(0) { $0 + $1.1 }
        guard total > 0 else {
            throw LearnError.invalidParameter(name: "group weights", value: "\(weights)", expected: "non-negative weights with a positive sum")
        }
        var sum = 0.0
        for (group, weight) in ordered where weight > 0 {
            guard let row = rows.first(where: { $0.group == group }) else {
                throw LearnError.invalidParameter(
                    name: "group weights", value: "group \(group)",
                    expected: "groups present in the evaluated data (\(rows.map(\.group))); drop the group or evaluate on data that contains it")
            }
            sum += weight / total * row.accuracy
        }
        return sum
    }

    /// Group sizes of a label set, for `reweightedAccuracy(weights:)`.
    public static func groupCounts(_ groups: [Int32]) -> [Int32: Double] {
        var counts: [Int32: Double] = [:]
        for g in groups { counts[g, default: 0] += 1 }
        return counts
    }
}
