import AssayEngine
import AssayLearn
import Foundation

/// `select` (Head2Toe): a group-lasso softmax head fitted by FISTA on a group-balanced
/// subsample of the first split's features; features are scored by their squared row norm
/// and the top `keep` fraction is kept, in every split.
///
/// `lambda` is relative to λ_max (the smallest λ that zeroes every row), so one value works
/// across feature scales; `epochs` bounds the FISTA iterations. FISTA steps by 1/L (L the
/// gradient's Lipschitz bound), so `lr` is not needed and is ignored.
struct SelectOperator: StageOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let p = try StageParameters(node)
        let (features, groups) = try FeatureGroups.load(node, inputs: inputs)
        guard let fit = features.splits.first else { throw StageError(stage: node.id, path: "features", "the features hold no split") }
        let ids = try FeatureGroups.ids(for: fit, in: groups, stage: node.id)
        let lambda = p.double("lambda", default: 0.01)
        guard lambda > 0, lambda < 1 else {
            throw StageError(stage: node.id, path: "lambda", "λ is relative to λ_max and must lie in (0, 1), found \(lambda)")
        }
        let iterations = p.int("epochs", default: 50)
        let selector = Head2ToeSelector(relativeLambda: lambda, keepFraction: p.double("keep", default: 0.1), maxIterations: iterations,
                                        seed: UInt64(p.int("seed", default: 0)))
        let selection: Head2ToeSelection
        do {
            selection = try selector.select(fit.features, labels: fit.labels, groups: ids) { iteration, objective in
                if iteration % 10 == 0 {
                    context.report(fraction: Double(iteration) / Double(iterations), message: "group lasso, iteration \(iteration)", metrics: ["objective": objective])
                }
            }
        } catch let error as LearnError { throw StageError(stage: node.id, "\(error)") }
        try context.checkCancelled()
        let kept = features.selectingColumns(selection.selected)
        try kept.encoded().write(to: context.output(named: "features"))

        let perLayer = kept.layers.map { ["layer": $0.layer, "kept": $0.count] as [String: Any] }
        var metrics: [String: Double] = [
            "kept": Double(selection.selected.count), "of": Double(features.columns), "nonzero-rows": Double(selection.nonzeroRows),
            "lambda": selection.lambda, "iterations": Double(selection.iterations),
        ]
        for span in kept.layers { metrics["kept.\(span.layer)"] = Double(span.count) }
        let report = try JSONSerialization.data(withJSONObject: [
            "format": "assay.selection/1", "selected": selection.selected, "scores": selection.scores, "per-layer": perLayer,
            "nonzero-rows": selection.nonzeroRows, "lambda": selection.lambda,
        ], options: [.sortedKeys])
        try report.write(to: context.output(named: "metrics"))
        return StageResult(metrics: metrics, tables: ["per-layer": try JSONSerialization.data(withJSONObject: perLayer, options: [.sortedKeys]).map { $0 }])
    }
}
