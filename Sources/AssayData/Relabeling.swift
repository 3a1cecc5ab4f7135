/// A new labelling of a data set's classes.
public enum Relabeling: Hashable, Codable, Sendable {
    /// Keep only these classes, renumbered in the given order.
    case subset([String])
    /// Two classes: `positive` classes become 1, all others 0.
    case binary(positive: [String], negativeName: String = "negative", positiveName: String = "positive")
    /// Each listed old class becomes the named new class (several may merge);
    /// unlisted classes are dropped. New classes are numbered in order of first appearance
    /// in `pairs`.
    case mapping([ClassMapping])
}

/// One entry of `Relabeling.mapping`: old class name → new class name.
public struct ClassMapping: Hashable, Codable, Sendable {
    public var from: String
    public var to: String
    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}

extension ImageDataset {
    /// The data set relabelled by `rule`; dropped classes' examples are removed,
    /// the rest keep their order. Deterministic (no randomness involved).
    public func relabeled(_ rule: Relabeling) throws -> ImageDataset {
        var newIndexOfOld = [Int32?](repeating: nil, count: classNames.count)
        var newNames: [String] = []
        switch rule {
        case let .subset(names):
            for (k, name) in names.enumerated() {
                let old = try classIndex(of: name)
                if newIndexOfOld[old] != nil {
                    throw DataError.invalidParameter(name: "classes", value: "`\(name)` listed twice", expected: "distinct class names")
                }
                newIndexOfOld[old] = Int32(k)
            }
            newNames = names
        case let .binary(positive, negativeName, positiveName):
            for k in classNames.indices { newIndexOfOld[k] = 0 }
            for name in positive { newIndexOfOld[try classIndex(of: name)] = 1 }
            newNames = [negativeName, positiveName]
        case let .mapping(pairs):
            for pair in pairs {
                let old = try classIndex(of: pair.from)
                if newIndexOfOld[old] != nil {
                    throw DataError.invalidParameter(name: "mapping", value: "`\(pair.from)` mapped twice", expected: "each class mapped at most once")
                }
                if !newNames.contains(pair.to) { newNames.append(pair.to) }
                newIndexOfOld[old] = Int32(newNames.firstIndex(of: pair.to)!)
            }
        }
        let kept = labels.indices.filter { newIndexOfOld[Int(labels[$0])] != nil }
        var result = kept.count == count ? self : subset(kept)
        result.labels = result.labels.map { newIndexOfOld[Int($0)]! }
        result.classNames = newNames
        result.groupIDs = nil
        try result.validate()
        return result
    }
}
