import AssayEngine
import AssayLearn
import AssaySupport
import Foundation

/// `select` (Head2Toe): a group-lasso softmax head fitted by FISTA on a group-balanced
/// subsample of a seeded, group-stratified `fit-fraction` of the first split's rows;
/// features are scored by their squared row norm and the top `keep` fraction is kept.
///
/// The rows that fitted the selection leave the output: its first split holds only the
/// other rows (their data-set indices in `rows`, the fitted ones in `selectionRows`), so a
/// `retrain-last-layer` on the selection retrains on held-out data not used for selection
/// (BRIEF §1, all-layer DFR step 4) and cannot do otherwise. The other splits are kept whole.
///
/// `lambda` is relative to λ_max (the smallest λ that zeroes every row), so one value works
/// across feature scales; `epochs` bounds the FISTA iterations, whose step is 1/L (L the
/// gradient's Lipschitz bound): there is no learning rate.
struct SelectOperator: ParameterizedOperator {
    /// `features` and `groups` are inputs.
    struct Parameters: Decodable {
        enum Method: String, Decodable { case head2toe }
        var method: Method
        var keep: Double
        var fitFraction: Double
        var lambda: Double
        var epochs: Int
        var balance: GroupBalance
        var seed: UInt64
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let (features, groups) = try FeatureGroups.load(node, inputs: inputs)
        guard let fit = features.splits.first else { throw StageError(stage: node.id, path: "features", "the features hold no split") }
        let ids = try FeatureGroups.ids(for: fit, in: groups, stage: node.id)
        let lambda = p.lambda
        guard lambda > 0, lambda < 1 else {
            throw StageError(stage: node.id, path: "lambda", "λ is relative to λ_max and must lie in (0, 1), found \(lambda)")
        }
        let fraction = p.fitFraction
        guard fraction > 0, fraction < 1 else {
            throw StageError(stage: node.id, path: "fit-fraction", "the share of `\(fit.name)` that fits the selection must lie in (0, 1), found \(fraction)",
                             help: "the rest is held out for `retrain-last-layer`; use e.g. `fit-fraction: 0.5`")
        }
        let seed = p.seed
        var partition = SeededRandom(seed: seed, stream: 7)
        let (fitRows, heldOut) = GroupSampling.stratifiedSplit(groups: ids, fraction: fraction, random: &partition)
        try Self.requireEveryGroup(in: fitRows, and: heldOut, ids: ids, names: groups.groupNames, split: fit.name, fraction: fraction, stage: node.id)

        let iterations = p.epochs
        let selector = Head2ToeSelector(relativeLambda: lambda, keepFraction: p.keep, maxIterations: iterations, balance: p.balance, seed: seed)
        let selection: Head2ToeSelection
        do {
            selection = try selector.select(fit.features.selectingRows(fitRows), labels: fitRows.map { fit.labels[$0] },
                                            groups: fitRows.map { ids[$0] }) { iteration, objective in
                if iteration % 10 == 0 {
                    context.report(fraction: Double(iteration) / Double(iterations), message: "group lasso, iteration \(iteration)", metrics: ["objective": objective])
                }
            }
        } catch let error as LearnError { throw StageError(stage: node.id, "\(error)") }
        try context.checkCancelled()
        var kept = features.selectingColumns(selection.selected)
        kept.splits[0] = kept.splits[0].holdingOut(heldOut, usedForSelection: fitRows)
        try kept.encoded().write(to: context.output(named: "features"))

        let perLayer = kept.layers.map { ["layer": $0.layer, "kept": $0.count] as [String: Any] }
        var metrics: [String: Double] = [
            "kept": Double(selection.selected.count), "of": Double(features.columns), "nonzero-rows": Double(selection.nonzeroRows),
            "lambda": selection.lambda, "iterations": Double(selection.iterations),
            "fit-rows": Double(fitRows.count), "training-rows": Double(selection.trainingRows), "held-out-rows": Double(heldOut.count),
        ]
        for span in kept.layers { metrics["kept.\(span.layer)"] = Double(span.count) }
        let report = try JSONSerialization.data(withJSONObject: [
            "format": "assay.selection/2", "selected": selection.selected, "scores": selection.scores, "per-layer": perLayer,
            "nonzero-rows": selection.nonzeroRows, "lambda": selection.lambda, "split": fit.name,
            "fit-examples": kept.splits[0].selectionRows ?? [], "held-out-examples": kept.splits[0].rows ?? [],
        ], options: [.sortedKeys])
        try report.write(to: context.output(named: "metrics"))
        return StageResult(metrics: metrics, tables: ["per-layer": try JSONSerialization.data(withJSONObject: perLayer, options: [.sortedKeys]).map { $0 }])
    }

    /// Both parts must contain every group: the selection balances over them, and DFR needs
    /// each group in both of its tuning halves.
    static func requireEveryGroup(in fitRows: [Int], and heldOut: [Int], ids: [Int32], names: [String], split: String, fraction: Double, stage: String) throws {
        let present = Set(ids)
        for (part, rows) in [("fitting the selection", fitRows), ("held out for retraining", heldOut)] {
            let missing = present.subtracting(rows.map { ids[$0] }).sorted()
            guard let g = missing.first else { continue }
            let name = Int(g) < names.count ? names[Int(g)] : "group \(g)"
            throw StageError(stage: stage, path: "fit-fraction",
                             "no example of `\(name)` in the part of `\(split)` \(part) (fit-fraction \(fraction))",
                             help: "every group needs examples on both sides: move `fit-fraction` towards 0.5, or give `\(split)` more examples")
        }
    }
}
