/// Counts of (true class, predicted class) pairs over `classCount` classes,
/// accumulated across batches; a void/ignore label is skipped.
public struct ConfusionMatrix: Sendable, Codable, Equatable {
    public let classCount: Int
    /// `classCount × classCount`, row-major: `counts[t * classCount + p]` = examples of
    /// true class t predicted as p.
    public private(set) var counts: [Int]

    public init(classCount: Int) {
        precondition(classCount >= 1)
        self.classCount = classCount
        counts = [Int](repeating: 0, count: classCount * classCount)
    }

    /// Builds a matrix from explicit counts (row = truth, column = prediction).
    public init(counts: [[Int]]) {
        self.init(classCount: counts.count)
        for (t, row) in counts.enumerated() {
            precondition(row.count == classCount, "ConfusionMatrix: row \(t) has \(row.count) entries, expected \(classCount)")
            for (p, value) in row.enumerated() { self.counts[t * classCount + p] = value }
        }
    }

    public subscript(truth: Int, predicted: Int) -> Int { counts[truth * classCount + predicted] }

    /// Adds pairs; positions whose truth equals `void` are skipped (as are predictions
    /// of `void`, counted nowhere). Other labels must lie in `0..<classCount`.
    public mutating func accumulate(predicted: [Int32], truth: [Int32], void: Int32? = nil) throws {
        guard predicted.count == truth.count else {
            throw LearnError.countMismatch(what: "predictions", expected: truth.count, found: predicted.count)
        }
        let k = Int32(classCount)
        for i in truth.indices {
            let t = truth[i], p = predicted[i]
            if let void, t == void { continue }
            guard t >= 0 && t < k else { throw LearnError.labelOutOfRange(label: t, classes: classCount) }
            guard p >= 0 && p < k else { throw LearnError.labelOutOfRange(label: p, classes: classCount) }
            counts[Int(t) * classCount + Int(p)] += 1
        }
    }

    /// Merges another matrix of the same size.
    public mutating func add(_ other: ConfusionMatrix) {
        precondition(other.classCount == classCount)
        for i in counts.indices { counts[i] += other.counts[i] }
    }

    public var total: Int { counts.reduce(0, +) }
    public var correct: Int { (0..<classCount).reduce(0) { $0 + self[$1, $1] } }
    /// Examples whose truth is class c (row sum).
    public func truthCount(_ c: Int) -> Int { (0..<classCount).reduce(0) { $0 + self[c, $1] } }
    /// Examples predicted as class c (column sum).
    public func predictedCount(_ c: Int) -> Int { (0..<classCount).reduce(0) { $0 + self[$1, c] } }
}
