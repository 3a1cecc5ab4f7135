import AssayData
import AssayEngine
import Foundation

/// `load-fashion-mnist`: the `train` and `test` splits from the IDX files, each optionally cut
/// to its first `limit.<split>` examples (CI-sized runs).
struct LoadFashionMNISTOperator: ParameterizedOperator {
    struct Parameters: Decodable {
        var path: String
        var limit: SplitCounts?
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let folder = try node.file("path")
        var metrics: [String: Double] = [:]
        for (index, split) in [FashionMNIST.Split.train, .test].enumerated() where node.outputs.contains(split.rawValue) {
            try context.checkCancelled()
            let limit = p.limit?[split.rawValue]
            // Streamed from the decompressed file into the output (memory holds a piece, not the split).
            let count = try DataStageIO.wrap(node, "path") {
                try FashionMNIST.write(split, directory: URL(fileURLWithPath: folder), limit: limit, to: context.output(named: split.rawValue))
            }
            metrics["\(split.rawValue).examples"] = Double(count)
            context.report(fraction: Double(index + 1) / 2, message: "loaded \(split.rawValue): \(count) images")
        }
        return StageResult(metrics: metrics)
    }
}
