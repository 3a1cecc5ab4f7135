import AssayEngine

/// The group ids of one split of a features artifact, taken from a groups artifact and
/// checked to describe the same examples (same data-set digest, same row count).
enum FeatureGroups {
    static func ids(for split: FeaturesArtifact.Split, in groups: GroupsArtifact, stage: String) throws -> [Int32] {
        let entry = try groups.split(split.name, stage: stage)
        let examples = split.exampleIndices
        let sameExamples = split.rows == nil ? entry.ids.count == split.features.rows : examples.allSatisfy { $0 >= 0 && $0 < entry.ids.count }
        guard entry.dataset == split.dataset, sameExamples else {
            throw StageError(stage: stage, path: "groups", "the group split describes other examples than the features of `\(split.name)`",
                             help: "group the same data set the features were extracted from")
        }
        return split.rows == nil ? entry.ids : examples.map { entry.ids[$0] }
    }

    static func load(_ node: PlanNode, inputs: [String: ArtifactHandle]) throws -> (FeaturesArtifact, GroupsArtifact) {
        guard let features = inputs["features"], let groups = inputs["groups"] else {
            throw StageError(stage: node.id, "needs `features` and `groups` inputs", help: "rerun `assay check`")
        }
        return (try FeaturesArtifact.read(from: features.url, stage: node.id), try GroupsArtifact.read(from: groups.url, stage: node.id))
    }
}
