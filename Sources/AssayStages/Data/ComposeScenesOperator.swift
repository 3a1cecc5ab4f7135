import AssayData
import AssayEngine

/// `compose-scenes`: segmentation scenes (M2NIST-style) made from the items of the same split:
/// `per-canvas` items pasted on a `canvas`, a pixel labelled with its item's class where the
/// item's intensity reaches `threshold`, background elsewhere. Each split is seeded apart.
struct ComposeScenesOperator: StageOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let p = try StageParameters(node)
        let items = try DataStageIO.splits(node, inputs: inputs, prefix: "items")
        let range = p.ints("per-canvas", default: [2, 4]), canvas = p.ints("canvas", default: [64, 64])
        guard range.count == 2, range[0] >= 1, range[0] <= range[1] else { throw StageError(stage: node.id, path: "per-canvas", "expected [min, max] with 1 ≤ min ≤ max") }
        guard canvas.count == 2 else { throw StageError(stage: node.id, path: "canvas", "expected [H, W]") }
        let background: SceneSpec.Background
        switch p.string("background", default: "texture") {
        case "black": background = .plain(0)
        case "noise": background = .noise(amplitude: 64)
        default: background = .texture(amplitude: 64)
        }
        let spec = SceneSpec(
            canvas: ImageSize(height: canvas[0], width: canvas[1]), itemsPerScene: range[0]...range[1],
            overlap: p.string("overlap", default: "avoid") == "allow" ? .allow : .avoid, background: background,
            threshold: UInt8(max(0, min(255, (p.double("threshold", default: 0.2) * 255).rounded()))))
        let seed = UInt64(p.int("seed", default: 0))
        var scenes = DatasetSplits()
        for (k, split) in ["train", "val", "test"].enumerated() where node.outputs.contains(split) {
            try context.checkCancelled()
            let source = try DataStageIO.wrap(node, "items") { try items.split(split) }
            let count = try p.int("samples.\(split)")
            scenes[split] = try DataStageIO.wrap(node) { try SceneComposer.compose(items: source, count: count, spec: spec, seed: seed &+ UInt64(k) &* 0x9E37_79B9) }
            context.report(fraction: Double(k + 1) / 3, message: "composed \(count) \(split) scenes")
        }
        try DataStageIO.write(scenes, node: node, context: context)
        return StageResult(metrics: DataStageIO.sizeMetrics(scenes))
    }
}
