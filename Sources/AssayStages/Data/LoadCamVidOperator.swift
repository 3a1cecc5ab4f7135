import AssayData
import AssayEngine
import Foundation

/// `load-camvid`: the CamVid layout, `root/{train,val,test}` images with label images (class
/// indices) in `root/{train,val,test}annot`, resized to `size` (labels by nearest neighbour);
/// `void` is the label value excluded from losses and metrics. Frames are decoded a block at a time
/// straight into the output files.
struct LoadCamVidOperator: ParameterizedOperator {
    struct Parameters: Decodable {
        var root: String
        var classes: [String]
        var void: Int
        var size: [Int]
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let root = URL(fileURLWithPath: try node.file("root"), isDirectory: true)
        let size = p.size
        guard size.count == 2 else { throw StageError(stage: node.id, path: "size", "expected [H, W]") }
        let void = p.void
        // Each split streams into its output a block of frames at a time (memory does not grow with the frames).
        var metrics: [String: Double] = [:]
        let splits = ["train", "val", "test"].filter(node.outputs.contains)
        for (k, split) in splits.enumerated() {
            try context.checkCancelled()
            let loader = CamVidLoader(
                imageDirectory: root.appendingPathComponent(split), labelDirectory: root.appendingPathComponent(split + "annot"),
                classNames: p.classes, voidLabel: (0...255).contains(void) ? UInt8(void) : nil,
                size: ImageSize(height: size[0], width: size[1]))
            let frames = try DataStageIO.wrap(node, "root") {
                try loader.write(to: context.output(named: split)) { done, total in
                    try context.checkCancelled()
                    let fraction = (Double(k) + Double(done) / Double(max(1, total))) / Double(splits.count)
                    context.report(fraction: fraction, message: "\(split): \(["reading labels", "decoding images", "writing labels"][min(2, 3 * done / max(1, total))])")
                }
            }
            metrics["\(split).examples"] = Double(frames)
        }
        for output in node.outputs where metrics["\(output).examples"] == nil {
            throw StageError(stage: node.id, "produced no split `\(output)`", help: "rerun `assay check`; the declared splits and the data disagree")
        }
        return StageResult(metrics: metrics)
    }
}
