import AssayData
import AssayEngine
import AssaySupport

/// `group-split`: groups = label × attributes (the `by` list) for every split of the source,
/// with counts and a seeded balanced subsample.
/// An empty group is an error naming it.
struct GroupSplitOperator: ParameterizedOperator {
    struct Parameters: Decodable {
        var by: [String]
        var balance: String
        var seed: UInt64
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let by = p.by, balance = p.balance, seed = p.seed
        let splits = try DataStageIO.splits(node, inputs: inputs, prefix: "source")
        var scheme: GroupScheme?
        var result: [String: GroupsArtifact.Split] = [:]
        var metrics: [String: Double] = [:]
        for (index, (name, dataset)) in splits.all.enumerated() {
            try context.checkCancelled()
            let assignment = try DataStageIO.wrap(node, "by") { try Self.groups(of: dataset, by: by, split: name) }
            scheme = assignment.scheme
            let splitSeed = seed &+ UInt64(index) &* 0x9E37_79B9
            let balanced = balance == "subsample" ? try DataStageIO.wrap(node, "balance") { try assignment.balancedSubsample(seed: splitSeed) } : nil
            result[name] = GroupsArtifact.Split(
                dataset: inputs["source.\(name)"]!.digest.hex, ids: assignment.ids, counts: assignment.counts,
                balanced: balanced)
            for (group, count) in assignment.counts.enumerated() { metrics["\(name).group\(group).count"] = Double(count) }
        }
        guard let scheme else { throw StageError(stage: node.id, "the data set has no splits") }
        let artifact = GroupsArtifact(scheme: scheme, groupNames: (0..<scheme.groupCount).map(scheme.name(of:)), balance: balance, splits: result)
        try artifact.encoded().write(to: context.output(named: "groups"))
        return StageResult(metrics: metrics, tables: ["groups": try groupTable(artifact)])
    }

    /// Group ids by `by` (`label` and attribute names, label most significant when listed).
    static func groups(of dataset: ImageDataset, by: [String], split: String) throws -> GroupAssignment {
        let attributes = by.filter { $0 != "label" }
        if by.contains("label") { return try dataset.groups(by: attributes) }
        // Without the label: a scheme with a single class, so the attributes alone form groups.
        let values = try attributes.map { try dataset.attribute(named: $0) }
        let scheme = GroupScheme(classNames: ["any"], attributeNames: attributes, attributeValueNames: values.map(\.valueNames))
        let ids = (0..<dataset.count).map { i in Int32(scheme.group(label: 0, values: values.map { Int($0.values[i]) })) }
        let assignment = GroupAssignment(scheme: scheme, ids: ids)
        try assignment.requireNonEmpty(context: "split `\(split)` grouped by \(attributes.joined(separator: " × "))")
        return assignment
    }

    /// `{"<split>": {"<group name>": count}}` for `assay show`.
    func groupTable(_ artifact: GroupsArtifact) throws -> [UInt8] {
        var table: [String: CanonicalValue] = [:]
        for (split, s) in artifact.splits {
            var row: [String: CanonicalValue] = [:]
            for (g, count) in s.counts.enumerated() { row[artifact.groupNames[g]] = .int(count) }
            table[split] = .map(row)
        }
        return CanonicalValue.map(table).canonicalJSON
    }
}
