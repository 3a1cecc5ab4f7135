import AssayData
import AssayEngine
import AssayLearn
import AssaySupport
import Foundation

/// `compare`: how much a unit's visualisations changed between two `visualize` stages.
///
/// - `kendall-tau`: τ-b between the two full activation rankings (same data set);
/// - `top-k-overlap`: |top-k before ∩ top-k after| (k of the earlier stage);
/// - `synthetic-distance`: RMS pixel distance between the synthetic images (restart by restart),
///   and, when the later model carries a ProxPulse target, SSIM and centred cosine of the
///   synthetic FV to it before and after;
/// - `class-change`: 1 − Σ_c min(p_c, q_c) between the class histograms of the two top-k sets;
/// - `accuracy-delta` (always, when both ranked a data set): accuracy after − before.
/// Writes `before-after.png` (``BeforeAfterFigure``: natural top-k before | after, synthetic
/// before | after, labelled) when declared.
struct CompareOperator: ParameterizedOperator {
    /// `before` and `after` are inputs.
    struct Parameters: Decodable {
        var metrics: [String]
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        guard let b = inputs["before"], let a = inputs["after"] else { throw StageError(stage: node.id, path: "before", "the inputs `before` and `after` are required") }
        let before = try VisualizationArtifact.read(from: b.url, stage: node.id, slot: "before")
        let after = try VisualizationArtifact.read(from: a.url, stage: node.id, slot: "after")
        let wanted = Set(p.metrics)
        var metrics: [String: Double] = [:]
        if before.unit != after.unit { metrics["same-unit"] = 0 } else { metrics["same-unit"] = 1 }
        if let n0 = before.natural, let n1 = after.natural {
            guard n0.scores.count == n1.scores.count else {
                throw StageError(stage: node.id, path: "after", "the two visualisations ranked different data sets (\(n0.scores.count) vs \(n1.scores.count) images)",
                                 help: "rank the same split, e.g. with `like:`")
            }
            if wanted.contains("kendall-tau") { metrics["kendall-tau"] = KendallTau.tauB(n0.scores, n1.scores) }
            if wanted.contains("top-k-overlap") {
                metrics["top-k-overlap"] = Double(Set(n0.top).intersection(UnitRanking.top(n1.scores, k: n0.k)).count)
                metrics["k"] = Double(n0.k)
            }
            if wanted.contains("class-change") { metrics["class-change"] = Self.classChange(n0.topLabels, n1.topLabels) }
            metrics["accuracy-delta"] = n1.accuracy - n0.accuracy
            metrics["top1-ratio"] = Double(n1.topScores.first ?? .nan) / Double(n0.topScores.first ?? .nan)
        }
        if wanted.contains("synthetic-distance"), let s0 = before.synthetic, let s1 = after.synthetic, s0.images.count == s1.images.count {
            let squares = zip(s0.images, s1.images).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            metrics["synthetic-distance"] = (squares / Double(max(1, s0.images.count))).squareRoot()
        }
        if let target = after.target ?? before.target {
            for (name, artifact) in [("before", before), ("after", after)] {
                guard let s = artifact.synthetic else { continue }
                let similarity = try TargetSimilarity.measure(s.images, target: target, shape: artifact.sampleShape)
                metrics["target-ssim-\(name)"] = similarity.ssim
                metrics["target-cosine-\(name)"] = similarity.cosine
            }
        }
        try MetricsFile.write(metrics, extra: ["unit-before": .string(before.unit.description), "unit-after": .string(after.unit.description)],
                              to: context.output(named: "metrics"))
        if node.outputs.contains("before-after.png") {
            try writeGrid(before, after, node: node, to: context.output(named: "before-after.png"))
        }
        return StageResult(metrics: metrics)
    }

    /// 1 − Σ_c min(p_c, q_c): 0 when the top-k sets hold the same classes in the same proportions.
    static func classChange(_ a: [Int32], _ b: [Int32]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return .nan }
        var p: [Int32: Double] = [:], q: [Int32: Double] = [:]
        for l in a { p[l, default: 0] += 1 / Double(a.count) }
        for l in b { q[l, default: 0] += 1 / Double(b.count) }
        return 1 - Set(p.keys).union(q.keys).reduce(0) { $0 + min(p[$1] ?? 0, q[$1] ?? 0) }
    }

    private func writeGrid(_ before: VisualizationArtifact, _ after: VisualizationArtifact, node: PlanNode, to url: URL) throws {
        guard let figure = BeforeAfterFigure.render(before: before, after: after) else {
            throw StageError(stage: node.id, path: "before-after.png", "the two visualisations share neither natural exemplars nor synthetic images to show side by side",
                             help: "give both `visualize` stages `natural:` or `synthetic:` (e.g. with `like:`)")
        }
        try PNGCodec.write(figure, to: url)
    }
}
