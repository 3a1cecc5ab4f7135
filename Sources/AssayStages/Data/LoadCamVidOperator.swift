import AssayData
import AssayEngine
import Foundation

/// `load-camvid`: the CamVid layout, `root/{train,val,test}` images with label images (class
/// indices) in `root/{train,val,test}annot`, resized to `size` (labels by nearest neighbour);
/// `void` is the label value excluded from losses and metrics.
struct LoadCamVidOperator: StageOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let p = try StageParameters(node)
        let root = URL(fileURLWithPath: try node.locals["path:root"] ?? p.string("root"), isDirectory: true)
        let size = p.ints("size", default: [360, 480])
        guard size.count == 2 else { throw StageError(stage: node.id, path: "size", "expected [H, W]") }
        let void = p.int("void", default: 11)
        var splits = DatasetSplits()
        for (k, split) in ["train", "val", "test"].enumerated() where node.outputs.contains(split) {
            try context.checkCancelled()
            let loader = CamVidLoader(
                imageDirectory: root.appendingPathComponent(split), labelDirectory: root.appendingPathComponent(split + "annot"),
                classNames: p.strings("classes"), voidLabel: (0...255).contains(void) ? UInt8(void) : nil,
                size: ImageSize(height: size[0], width: size[1]))
            splits[split] = try DataStageIO.wrap(node, "root") { try loader.load() }
            context.report(fraction: Double(k + 1) / 3, message: "loaded \(split)")
        }
        try DataStageIO.write(splits, node: node, context: context)
        return StageResult(metrics: DataStageIO.sizeMetrics(splits))
    }
}
