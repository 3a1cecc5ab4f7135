import AssayData
import AssayEngine
import AssayLanguage
import AssayLearn
import AssayNN
import AssayTensor
import Foundation

/// `features`: activations of the chosen layers for every listed split, each layer pooled to
/// about `pool.target` values (global average pooling when C ≥ T, else p×p cells with
/// p = ⌊√(T/C)⌋), normalised per layer with statistics of the first split, and concatenated.
struct FeaturesOperator: ParameterizedOperator {
    /// `model` and `data` are inputs.
    struct Parameters: Decodable {
        struct Pool: Decodable { var target: Int }
        var layers: [String]
        var pool: Pool
        var normalize: LayerNormalization
        var batchSize: Int
        var precision: TensorPrecision?
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        guard let modelHandle = inputs["model"] else { throw StageError(stage: node.id, path: "model", "no trained model is bound", help: "rerun `assay check`") }
        let network = try ModelArtifact.read(from: modelHandle.url, stage: node.id)
        let layers = try Self.layerPaths(p.layers, spec: network.spec, stage: node.id)
        let pooling = try FeaturePooling(targetSize: p.pool.target)
        let normalization = p.normalize, batchSize = p.batchSize
        let slots = node.inputs.map(\.slot).filter { $0.hasPrefix("data.") }.sorted { Int($0.dropFirst(5)) ?? 0 < Int($1.dropFirst(5)) ?? 0 }
        guard !slots.isEmpty else { throw StageError(stage: node.id, path: "data", "no split is bound", help: "rerun `assay check`") }

        var pooled: [(name: String, dataset: String, labels: [Int32], blocks: [(name: String, features: FeatureMatrix)])] = []
        var classes: [String] = []
        for (k, slot) in slots.enumerated() {
            let data = try DataStageIO.dataset(node, inputs: inputs, slot: slot)
            classes = data.classNames
            let blocks = try TensorPrecision.withPrecision(p.precision ?? .fp32) {
                try extract(network, layers: layers, data: data, pooling: pooling, batchSize: batchSize) { done in
                    try context.checkCancelled()
                    context.report(fraction: (Double(k) + done) / Double(slots.count), message: "features of `\(DataStageIO.splitName(node, slot: slot))`")
                }
            }
            pooled.append((DataStageIO.splitName(node, slot: slot), inputs[slot]!.digest.hex, data.labels, blocks))
        }
        let assembly = try LayerFeatureAssembly.fit(layers: pooled[0].blocks, normalization: normalization)
        let splits = try pooled.map { FeaturesArtifact.Split(name: $0.name, dataset: $0.dataset, features: try assembly.apply($0.blocks), labels: $0.labels) }
        let artifact = FeaturesArtifact(layers: assembly.spans.map(LayerColumns.init), sourceColumns: Array(0..<assembly.featureCount), normalization: normalization.rawValue,
                                        classes: classes, splits: splits)
        try artifact.encoded().write(to: context.output(named: "features"))
        var metrics: [String: Double] = ["features": Double(artifact.columns), "layers": Double(layers.count)]
        for span in assembly.spans { metrics["features.\(span.layer)"] = Double(span.count) }
        return StageResult(metrics: metrics, tables: ["layers": try JSONEncoder().encode(assembly.spans).map { $0 }])
    }

    /// Pooled activations per layer (named as in the experiment), rows in data-set order.
    func extract(_ network: SpecNetwork, layers: [String], data: ImageDataset, pooling: FeaturePooling, batchSize: Int,
                 progress: (Double) throws -> Void) throws -> [(name: String, features: FeatureMatrix)] {
        network.eval()
        var values = [[Float]](repeating: [], count: layers.count)
        var widths = [Int](repeating: 0, count: layers.count)
        try Autograd.withoutGradients {
            try NetworkInference.forEachBatch(of: data, batchSize: batchSize, normalization: PixelNormalization(expectedBy: network.spec)) { x, range in
                let (_, recorded) = try network.forward(x, recording: layers)
                for (i, path) in layers.enumerated() {
                    guard let activation = recorded[path] else { throw StageError(stage: "features", path: "layers", "layer `\(path)` produced no activation") }
                    let shape: FeaturePooling.LayerShape = activation.rank == 4
                        ? .map(channels: activation.shape[1], height: activation.shape[2], width: activation.shape[3])
                        : .vector(activation.count / activation.shape[0])
                    let block = try pooling.pool(activation.data, examples: activation.shape[0], shape: shape)
                    widths[i] = block.columns
                    // The whole split's rows at once: growing by doubling would hold up to twice the features.
                    if values[i].isEmpty { values[i].reserveCapacity(block.columns * data.count) }
                    values[i] += block.values
                }
                try progress(Double(range.upperBound) / Double(max(1, data.count)))
            }
        }
        let names = layers.map { network.spec.tapName(ofPath: $0) }
        return layers.indices.map { i in (names[i], FeatureMatrix(rows: data.count, columns: widths[i], values: values[i])) }
    }

    /// Module paths of the requested layers (``ModelSpec/featureLayers(_:)``, which the checker also reads).
    static func layerPaths(_ requested: [String], spec: ModelSpec, stage: String) throws -> [String] {
        do { return try spec.featureLayers(requested).map(\.path) } catch let error as FeatureLayerError {
            throw StageError(stage: stage, path: "layers", error.message, help: "layers: " + spec.tapNames.joined(separator: ", "))
        }
    }
}
