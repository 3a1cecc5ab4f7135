import AssayData
import AssayEngine

/// `compose-scenes`: segmentation scenes (M2NIST-style) made from the items of the same split:
/// `per-canvas` items pasted on a `canvas`, a pixel labelled with its item's class where the
/// item's intensity reaches `threshold`, background elsewhere. Each split is seeded apart.
struct ComposeScenesOperator: ParameterizedOperator {
    struct Parameters: Decodable {
        var perCanvas: [Int]
        var canvas: [Int]
        var overlap: String
        var background: String
        var threshold: Double
        var samples: SplitCounts
        var seed: UInt64
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let items = try DataStageIO.splits(node, inputs: inputs, prefix: "items")
        let range = p.perCanvas, canvas = p.canvas
        guard range.count == 2, range[0] >= 1, range[0] <= range[1] else { throw StageError(stage: node.id, path: "per-canvas", "expected [min, max] with 1 ≤ min ≤ max") }
        guard canvas.count == 2 else { throw StageError(stage: node.id, path: "canvas", "expected [H, W]") }
        let background: SceneSpec.Background
        switch p.background {
        case "black": background = .plain(0)
        case "noise": background = .noise(amplitude: 64)
        default: background = .texture(amplitude: 64)
        }
        let spec = SceneSpec(
            canvas: ImageSize(height: canvas[0], width: canvas[1]), itemsPerScene: range[0]...range[1],
            overlap: p.overlap == "allow" ? .allow : .avoid, background: background,
            threshold: UInt8(max(0, min(255, (p.threshold * 255).rounded()))))
        let seed = p.seed
        var scenes = DatasetSplits()
        for (k, split) in ["train", "val", "test"].enumerated() where node.outputs.contains(split) {
            try context.checkCancelled()
            let source = try DataStageIO.wrap(node, "items") { try items.split(split) }
            guard let count = p.samples[split] else {
                throw StageError(stage: node.id, path: "samples.\(split)", "no scene count for the split `\(split)`", help: "rerun `assay check`; the plan is incomplete")
            }
            scenes[split] = try DataStageIO.wrap(node) { try SceneComposer.compose(items: source, count: count, spec: spec, seed: seed &+ UInt64(k) &* 0x9E37_79B9) }
            context.report(fraction: Double(k + 1) / 3, message: "composed \(count) \(split) scenes")
        }
        try DataStageIO.write(scenes, node: node, context: context)
        return StageResult(metrics: DataStageIO.sizeMetrics(scenes))
    }
}
