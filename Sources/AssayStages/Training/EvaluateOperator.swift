import AssayData
import AssayEngine
import AssayTensor
import Foundation

/// `evaluate`: a trained model's predictions on `data`, scored as ``ClassificationMetrics``:
/// accuracy, confusion matrix and, with `groups`, per-group and worst-group accuracy and the
/// mean accuracy reweighted to the training split's groups.
struct EvaluateOperator: ParameterizedOperator {
    /// `model`, `data` and `groups` are inputs.
    struct Parameters: Decodable {
        var batchSize: Int
        var precision: TensorPrecision?
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        guard let modelHandle = inputs["model"] else { throw StageError(stage: node.id, path: "model", "no trained model is bound", help: "rerun `assay check`") }
        let network = try ModelArtifact.read(from: modelHandle.url, stage: node.id)
        let data = try DataStageIO.dataset(node, inputs: inputs, slot: "data")
        let split = DataStageIO.splitName(node, slot: "data")
        context.report(fraction: 0, message: "predicting \(data.count) examples of `\(split)`")
        let predicted = try TensorPrecision.withPrecision(p.precision ?? .fp32) {
            try NetworkInference.predictions(of: network, on: data, batchSize: p.batchSize) { try context.checkCancelled() }
        }
        var groupIDs: [Int32]?, names: [String] = [], trainingCounts: [Int]?
        if let handle = inputs["groups"] {
            let groups = try GroupsArtifact.read(from: handle.url, stage: node.id)
            let entry = try groups.split(split, stage: node.id)
            guard entry.dataset == inputs["data"]!.digest.hex, entry.ids.count == data.count else {
                throw StageError(stage: node.id, path: "groups", "the group split was computed on other examples than `\(split)` (\(entry.ids.count) ids for \(data.count) examples)")
            }
            groupIDs = entry.ids
            names = groups.groupNames
            trainingCounts = groups.splits["train"]?.counts
        }
        let metrics = try ClassificationMetrics(split: split, predicted: predicted, truth: data.labels, classes: data.classNames,
                                                groups: groupIDs, groupNames: names, trainingCounts: trainingCounts)
        let bytes = try metrics.encoded()
        try bytes.write(to: context.output(named: "metrics"))
        return StageResult(metrics: metrics.stageMetrics, tables: ["metrics": [UInt8](bytes)])
    }
}
