import AssayEngine
import AssayLearn
import Foundation

/// `retrain-last-layer` (DFR): on the first split of the features (held-out validation data;
/// for a `select` output only the rows the selection did not fit on, which is all that split
/// holds), standardise, tune C on stratified halves by worst-group accuracy (fit on a balanced
/// subsample of one half, score the other), then average `fits` L1 logistic regressions on
/// independent balanced subsamples of the whole split. With `balance: reweight` every fit uses
/// all its rows weighted inversely to group size instead, and the final model is one fit.
/// The head is scored on the remaining splits; the `metrics` artifact holds the score on `test` (else the last split).
struct RetrainLastLayerOperator: ParameterizedOperator {
    /// `features` and `groups` are inputs.
    struct Parameters: Decodable {
        var layers: [String]
        var penalty: Penalty
        var cGrid: [Double]
        var fits: Int
        var balance: GroupBalance
        var seed: UInt64
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let (all, groups) = try FeatureGroups.load(node, inputs: inputs)
        let features = try all.restricted(toLayers: p.layers, stage: node.id)
        guard features.splits.count >= 2, let fit = features.splits.first else {
            throw StageError(stage: node.id, path: "features", "DFR fits on the first split of the features and is scored on the others, but there is only one",
                             help: "extract features of two splits, e.g. `data: [DATA.val, DATA.test]`")
        }
        let ids = try FeatureGroups.ids(for: fit, in: groups, stage: node.id)
        let recipe = DeepFeatureReweighting(cGrid: p.cGrid, penalty: p.penalty, finalFits: p.fits, balance: p.balance, seed: p.seed,
                                            threads: max(1, context.threads))
        let result: DFRResult
        do {
            var tuned = 0
            result = try recipe.fit(fit.features, labels: fit.labels, groups: ids) { event in
                if case .tuned(let row) = event {
                    tuned += 1
                    context.report(fraction: Double(tuned) / Double(recipe.cGrid.count + 1), message: "C = \(row.c)",
                                   metrics: ["tuning-wga": row.worstGroupAccuracy])
                }
            }
        } catch let error as LearnError { throw StageError(stage: node.id, "\(error)") }
        try context.checkCancelled()

        let head = RetrainedHead(model: result.model, chosenC: result.chosenC, tuning: result.tuning, columns: features.sourceColumns,
                                 layers: features.layers, classes: features.classes)
        try head.encoded().write(to: context.output(named: "head"))

        var scored: [ClassificationMetrics] = []
        for split in features.splits.dropFirst() {
            let predicted = try result.model.predict(split.features)
            scored.append(try ClassificationMetrics(
                split: split.name, predicted: predicted, truth: split.labels, classes: features.classes,
                groups: try FeatureGroups.ids(for: split, in: groups, stage: node.id), groupNames: groups.groupNames,
                trainingCounts: groups.splits["train"]?.counts,
                details: ["chosen-c": result.chosenC, "features": Double(features.columns),
                          "fit-rows": Double(fit.features.rows), "final-fits": Double(result.finalFits), "selection-rows": Double(fit.selectionRows?.count ?? 0),
                          "zero-coefficients": Double(result.model.classifier.zeroCoefficientCount)]))
        }
        let primary = scored.first { $0.split == "test" } ?? scored.last!
        let bytes = try primary.encoded()
        try bytes.write(to: context.output(named: "metrics"))
        var tables: [String: [UInt8]] = ["metrics": [UInt8](bytes), "tuning": [UInt8](try JSONEncoder().encode(result.tuning))]
        for other in scored where other.split != primary.split { tables["metrics.\(other.split)"] = [UInt8](try other.encoded()) }
        return StageResult(metrics: primary.stageMetrics, tables: tables)
    }
}
