import AssayData
import AssayEngine
import Foundation

/// `load-fashion-mnist`: the `train` and `test` splits from the IDX files, each optionally cut
/// to its first `limit.<split>` examples (CI-sized runs).
struct LoadFashionMNISTOperator: StageOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let parameters = try StageParameters(node)
        let folder = node.locals["path:path"] ?? parameters.string("path", default: FashionMNIST.defaultDirectory.path)
        var splits = DatasetSplits()
        for (index, split) in [FashionMNIST.Split.train, .test].enumerated() where node.outputs.contains(split.rawValue) {
            try context.checkCancelled()
            var dataset = try DataStageIO.wrap(node, "path") { try FashionMNIST.load(split, directory: URL(fileURLWithPath: folder)) }
            if let limit = parameters.lookup("limit.\(split.rawValue)")?.intValue, limit < dataset.count {
                dataset = dataset.subset(Array(0..<limit))
            }
            splits[split.rawValue] = dataset
            context.report(fraction: Double(index + 1) / 2, message: "loaded \(split.rawValue): \(dataset.count) images")
        }
        try DataStageIO.write(splits, node: node, context: context)
        return StageResult(metrics: DataStageIO.sizeMetrics(splits))
    }
}
