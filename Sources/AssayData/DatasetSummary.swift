/// A name with a count, for summary tables.
public struct NamedCount: Hashable, Codable, Sendable {
    public var name: String
    public var count: Int
    public init(name: String, count: Int) {
        self.name = name
        self.count = count
    }
}

/// What `assay show` prints about a data set: size, shape, and counts per class,
/// attribute value, group (label × all attributes) and mask class (in pixels).
public struct DatasetSummary: Hashable, Codable, Sendable {
    public struct AttributeCounts: Hashable, Codable, Sendable {
        public var name: String
        public var counts: [NamedCount]
    }

    public var count: Int
    public var shape: SampleShape
    public var classes: [NamedCount]
    public var attributes: [AttributeCounts]
    /// Label × every attribute, in group-id order (empty without attributes).
    public var groups: [NamedCount]
    /// Pixels per mask class, void last if present (nil without masks).
    public var maskPixels: [NamedCount]?

    /// Text lines for a terminal, indented by `indent`.
    public func lines(indent: String = "") -> [String] {
        func row(_ counts: [NamedCount]) -> String {
            counts.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
        }
        var out = ["\(indent)\(count) images \(shape), \(classes.count) classes"]
        out.append("\(indent)  classes: \(row(classes))")
        for attribute in attributes { out.append("\(indent)  \(attribute.name): \(row(attribute.counts))") }
        if !groups.isEmpty {
            out.append("\(indent)  groups (label × \(attributes.map(\.name).joined(separator: " × "))):")
            let width = groups.map(\.name.count).max() ?? 0
            for (g, group) in groups.enumerated() {
                out.append("\(indent)    \(g)  \(group.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(group.count)")
            }
        }
        if let maskPixels { out.append("\(indent)  mask pixels: \(row(maskPixels))") }
        return out
    }
}

extension DatasetSummary {
    /// The `maskPixels` rows for pixel counts per mask value (`valueCounts[v]`, 256 entries).
    static func maskRows(valueCounts c: [Int], classNames: [String], voidLabel: UInt8?) -> [NamedCount] {
        var rows = classNames.enumerated().map { NamedCount(name: $0.element, count: c[$0.offset]) }
        if let void = voidLabel, Int(void) >= classNames.count { rows.append(NamedCount(name: "void", count: c[Int(void)])) }
        return rows
    }
}

extension ImageDataset {
    public var summary: DatasetSummary {
        var classCounts = [Int](repeating: 0, count: classNames.count)
        for y in labels { classCounts[Int(y)] += 1 }
        let attributeCounts = attributes.map { attribute -> DatasetSummary.AttributeCounts in
            var c = [Int](repeating: 0, count: attribute.valueNames.count)
            for v in attribute.values { c[Int(v)] += 1 }
            return .init(name: attribute.name, counts: zip(attribute.valueNames, c).map { NamedCount(name: $0, count: $1) })
        }
        var groups: [NamedCount] = []
        if !attributes.isEmpty, let assignment = try? self.groups(by: attributes.map(\.name), requireAll: false) {
            groups = assignment.table.map { NamedCount(name: $0.name, count: $0.count) }
        }
        var maskPixels: [NamedCount]?
        if let masks {
            var c = [Int](repeating: 0, count: 256)
            masks.pixels.withUnsafeBufferPointer { for v in $0 { c[Int(v)] += 1 } }
            maskPixels = DatasetSummary.maskRows(valueCounts: c, classNames: masks.classNames, voidLabel: masks.voidLabel)
        }
        return DatasetSummary(count: count, shape: shape,
                              classes: zip(classNames, classCounts).map { NamedCount(name: $0, count: $1) },
                              attributes: attributeCounts, groups: groups, maskPixels: maskPixels)
    }
}

extension DatasetSplits {
    /// Summary lines of every split, for `assay show`.
    public func summaryLines() -> [String] {
        all.flatMap { name, set in ["\(name):"] + set.summary.lines(indent: "  ") }
    }
}
