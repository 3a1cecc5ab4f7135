import AssayData
import AssayLearn
import Foundation

/// The `metrics` artifact of `evaluate` and `retrain-last-layer` (format `assay.metrics/1`,
/// see `ArtifactFormats.md`): accuracy, per-group accuracies, worst-group accuracy, mean
/// accuracy plain / group-balanced / reweighted to the training groups, and the confusion
/// matrix, on one evaluation split. Sorted-key JSON; no timings, so the bytes are reproducible.
public struct ClassificationMetrics: Codable, Equatable, Sendable {
    public struct GroupRow: Codable, Equatable, Sendable {
        public var group: Int
        public var name: String
        public var count: Int
        public var correct: Int
        public var accuracy: Double
    }

    public var format = "assay.metrics/1"
    /// The evaluation split (e.g. `test`).
    public var split: String
    public var examples: Int
    public var classes: [String]
    /// Plain accuracy over all examples (also stored as `meanAccuracy`).
    public var accuracy: Double
    public var meanAccuracy: Double
    public var worstGroupAccuracy: Double?
    /// Unweighted mean of the group accuracies.
    public var balancedAccuracy: Double?
    /// Group accuracies weighted by the training split's group sizes (the DFR paper's mean accuracy on Waterbirds).
    public var reweightedAccuracy: Double?
    public var groups: [GroupRow]
    /// `confusion[truth][predicted]`.
    public var confusion: [[Int]]
    /// Extra numbers of the producing stage (chosen C, kept features, ...).
    public var details: [String: Double]

    enum CodingKeys: String, CodingKey {
        case format, split, examples, classes, accuracy, groups, confusion, details
        case meanAccuracy = "mean-accuracy"
        case worstGroupAccuracy = "worst-group-accuracy"
        case balancedAccuracy = "balanced-accuracy"
        case reweightedAccuracy = "reweighted-accuracy"
    }

    /// Scores `predicted` against `truth`; with `groups`, per group (names from `groupNames`),
    /// reweighted by `trainingCounts` when given.
    public init(split: String, predicted: [Int32], truth: [Int32], classes: [String], groups: [Int32]?,
                groupNames: [String] = [], trainingCounts: [Int]? = nil, details: [String: Double] = [:]) throws {
        self.split = split
        examples = truth.count
        self.classes = classes
        accuracy = Metrics.accuracy(predicted: predicted, truth: truth)
        meanAccuracy = accuracy
        var confusion = ConfusionMatrix(classCount: max(classes.count, Int((predicted + truth).max() ?? 0) + 1))
        try confusion.accumulate(predicted: predicted, truth: truth)
        self.confusion = (0..<confusion.classCount).map { t in (0..<confusion.classCount).map { confusion[t, $0] } }
        self.groups = []
        self.details = details
        if let groups {
            let table = try GroupAccuracy(predicted: predicted, truth: truth, groups: groups)
            self.groups = table.rows.map {
                GroupRow(group: Int($0.group), name: Int($0.group) < groupNames.count ? groupNames[Int($0.group)] : "group \($0.group)",
                         count: $0.count, correct: $0.correct, accuracy: $0.accuracy)
            }
            worstGroupAccuracy = table.worstGroupAccuracy
            balancedAccuracy = table.rows.isEmpty ? nil : table.rows.map(\.accuracy).reduce(0, +) / Double(table.rows.count)
            if let trainingCounts {
                var weights: [Int32: Double] = [:]
                for (g, n) in trainingCounts.enumerated() where n > 0 && table.rows.contains(where: { $0.group == Int32(g) }) { weights[Int32(g)] = Double(n) }
                reweightedAccuracy = weights.isEmpty ? nil : try table.reweightedAccuracy(weights: weights)
            }
        }
    }

    /// The stage metrics shown in the run table and compared by `assay diff`.
    public var stageMetrics: [String: Double] {
        var m: [String: Double] = ["accuracy": accuracy, "mean-accuracy": meanAccuracy]
        if let v = worstGroupAccuracy { m["worst-group-accuracy"] = v }
        if let v = balancedAccuracy { m["balanced-accuracy"] = v }
        if let v = reweightedAccuracy { m["reweighted-accuracy"] = v }
        for row in groups { m["group-accuracy.\(row.group)"] = row.accuracy }
        for (k, v) in details { m[k] = v }
        return m
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}
