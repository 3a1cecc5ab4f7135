import AssayData
import AssayEngine
import AssayNN
import AssayTensor
import Foundation

/// `visualize`: natural FV (the unit's score on every image of `natural.over`, its top-k) and/or
/// synthetic FV (``SyntheticVisualizer``) of one unit. Writes the `visualization` artifact and,
/// when the plan declares them, `natural.png` (top-k grid) and `synthetic.png` (one tile per restart).
struct VisualizeOperator: ParameterizedOperator {
    /// `model`, `like` and `natural.over` are inputs; the checker copies `unit`, `natural` and
    /// `synthetic` from the stage named by `like`.
    struct Parameters: Decodable {
        struct Natural: Decodable { var top: Int; var precision: TensorPrecision? }
        var unit: NetworkUnit
        var natural: Natural?
        var synthetic: SyntheticSettings.Parameters?
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let unit = p.unit
        guard let modelHandle = inputs["model"] else { throw StageError(stage: node.id, path: "model", "the input `model` was not provided") }
        let network = try ModelArtifact.read(from: modelHandle.url, stage: node.id)
        let input = network.spec.inputShape
        guard input.count == 3 else { throw StageError(stage: node.id, path: "model", "feature visualisation needs image inputs [C, H, W], the model takes \(input)") }
        let shape = SampleShape(channels: input[0], height: input[1], width: input[2])
        var artifact = VisualizationArtifact(unit: unit, shape: input)
        artifact.target = ProxPulseTarget.stored(inModelAt: modelHandle.url)
        var metrics: [String: Double] = [:]
        let settings = p.synthetic.map(SyntheticSettings.init)
        let totalSteps = Double(settings?.steps ?? 0) + 1

        var overData: ImageDataset?
        if let natural = p.natural {
            let data = try readDataset(inputs, "natural.over", stage: node.id)
            overData = data
            let k = min(natural.top, data.count)
            context.report(fraction: 0, message: "ranking \(data.count) images by \(unit)")
            let ranking = try TensorPrecision.withPrecision(natural.precision ?? .fp32) {
                try UnitRanking.measure(network, unit: unit, dataset: data, stage: node.id, cancelled: context.checkCancelled)
            }
            let top = UnitRanking.top(ranking.scores, k: k)
            let accuracy = ranking.accuracy(labels: data.labels)
            artifact.natural = .init(k: k, scores: ranking.scores, top: top, topScores: top.map { ranking.scores[$0] },
                                     topLabels: top.map { data.labels[$0] }, accuracy: accuracy, topImages: top.flatMap { Array(data.image(at: $0)) })
            metrics["top1-activation"] = Double(ranking.scores[top[0]])
            metrics["accuracy"] = accuracy
            context.report(fraction: 1 / totalSteps, message: "ranked", metrics: ["step": 1, "total-steps": totalSteps])
        }
        if let settings {
            artifact.settings = settings
            let result = try SyntheticVisualizer(settings: settings).run(network, unit: unit, shape: shape, stage: node.id) { step in
                try context.checkCancelled()
                if step % 16 == 0 || step == settings.steps {
                    context.report(fraction: (Double(step) + 1) / totalSteps, message: "synthetic \(unit)",
                                   metrics: ["step": Double(step) + 1, "total-steps": totalSteps])
                }
            }
            artifact.synthetic = result
            metrics["synthetic-activation"] = Double(result.activations.max() ?? .nan)
            metrics["noise-activation"] = Double(result.startActivations.max() ?? .nan)
            if let target = artifact.target {
                let similarity = try TargetSimilarity.measure(result.images, target: target, shape: shape)
                metrics["target-ssim"] = similarity.ssim
                metrics["target-cosine"] = similarity.cosine
            }
        }
        try artifact.write(to: context.output(named: "visualization"))
        if node.outputs.contains("natural.png"), let natural = artifact.natural, let data = overData {
            try PNGCodec.write(ImageGrid.compose(data, indices: natural.top, columns: gridColumns(natural.top.count)), to: context.output(named: "natural.png"))
        }
        if node.outputs.contains("synthetic.png"), let synthetic = artifact.synthetic {
            let count = synthetic.activations.count
            try PNGCodec.write(ImageGrid.compose(floatImages: synthetic.images, shape: shape, columns: gridColumns(count)), to: context.output(named: "synthetic.png"))
        }
        return StageResult(metrics: metrics)
    }
}

/// Columns of a near-square grid of `count` tiles.
func gridColumns(_ count: Int) -> Int { max(1, Int(Double(count).squareRoot().rounded(.up))) }
