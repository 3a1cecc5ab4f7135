import AssayEngine
import AssayLearn

/// `compare-circuits`: Jaccard overlap |N₀ ∩ N₁| / |N₀ ∪ N₁| of the two circuits' node sets, and
/// Kendall τ-b between the attributions of every channel of the layers both searched.
struct CompareCircuitsOperator: StageOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        guard let b = inputs["before"], let a = inputs["after"] else { throw StageError(stage: node.id, path: "before", "the inputs `before` and `after` are required") }
        let before = try CircuitArtifact.read(from: b.url, stage: node.id, slot: "before")
        let after = try CircuitArtifact.read(from: a.url, stage: node.id, slot: "after")
        let metrics = Self.measure(before, after)
        try MetricsFile.write(metrics, extra: ["nodes-before": .list(before.nodes.sorted().map { .string($0) }), "nodes-after": .list(after.nodes.sorted().map { .string($0) })],
                              to: context.output(named: "metrics"))
        return StageResult(metrics: metrics)
    }

    static func measure(_ before: CircuitArtifact, _ after: CircuitArtifact) -> [String: Double] {
        var x: [Float] = [], y: [Float] = []
        for l0 in before.layers {
            guard let l1 = after.layers.first(where: { $0.layer == l0.layer }), l1.attributions.count == l0.attributions.count else { continue }
            x += l0.attributions
            y += l1.attributions
        }
        return [
            "jaccard": RankingOverlap.jaccard(before.nodes, after.nodes),
            "kendall-tau": x.count > 1 ? KendallTau.tauB(x, y) : .nan,
            "shared-nodes": Double(before.nodes.intersection(after.nodes).count),
        ]
    }
}
