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

        // Each split's pooled features go to scratch files as they come, then the artifact is written
        // from them a run of rows at a time: memory holds batches, not the data set's features.
        let scratch = try context.scratchDirectory
        var spilled: [(name: String, dataset: String, labels: [Int32], spill: PooledFeatureSpill)] = []
        var classes: [String] = []
        for (k, slot) in slots.enumerated() {
            let data = try DataStageIO.dataset(node, inputs: inputs, slot: slot)
            classes = data.classNames
            let spill = try PooledFeatureSpill(directory: scratch, name: "split\(k)", layers: layers.count)
            try TensorPrecision.withPrecision(p.precision ?? .fp32) {
                try extract(network, layers: layers, data: data, pooling: pooling, batchSize: batchSize, into: spill) { done in
                    try context.checkCancelled()
                    context.report(fraction: (Double(k) + done) / Double(slots.count), message: "features of `\(DataStageIO.splitName(node, slot: slot))`")
                }
            }
            spilled.append((DataStageIO.splitName(node, slot: slot), inputs[slot]!.digest.hex, data.labels, spill))
        }
        let names = layers.map { network.spec.tapName(ofPath: $0) }
        let reference = spilled[0].spill, runRows = Self.runRows
        let assembly = try LayerFeatureAssembly(layers: zip(names, reference.widths).map { (name: $0, columns: $1) }, normalization: normalization) { i in
            try Standardizer.fit(rows: reference.rows, columns: reference.widths[i]) { try reference.forEachRun(layer: i, chunkRows: runRows, $0) }
        }
        try FeaturesArtifact.write(to: context.output(named: "features"), stage: node.id, columns: assembly.featureCount,
                                   layers: assembly.spans.map(LayerColumns.init), normalization: normalization.rawValue, classes: classes,
                                   splits: spilled.map { ($0.name, $0.dataset, $0.labels) }) { k, emit in
            let spill = spilled[k].spill
            for start in stride(from: 0, to: spill.rows, by: runRows) {
                let rows = start..<min(spill.rows, start + runRows)
                let blocks: [(name: String, features: FeatureMatrix)] = try names.indices.map { (names[$0], try spill.block(layer: $0, rows: rows)) }
                try assembly.apply(blocks).values.withUnsafeBytes(emit)
            }
        }
        var metrics: [String: Double] = ["features": Double(assembly.featureCount), "layers": Double(layers.count)]
        for span in assembly.spans { metrics["features.\(span.layer)"] = Double(span.count) }
        return StageResult(metrics: metrics, tables: ["layers": try JSONEncoder().encode(assembly.spans).map { $0 }])
    }

    /// Rows normalised and written at a time (a few MB of features).
    static let runRows = 4096

    /// Pooled activations per layer, appended to `spill` a batch at a time, rows in data-set order.
    func extract(_ network: SpecNetwork, layers: [String], data: ImageDataset, pooling: FeaturePooling, batchSize: Int,
                 into spill: PooledFeatureSpill, progress: (Double) throws -> Void) throws {
        network.eval()
        try Autograd.withoutGradients {
            try NetworkInference.forEachBatch(of: data, batchSize: batchSize, normalization: PixelNormalization(expectedBy: network.spec)) { x, range in
                let (_, recorded) = try network.forward(x, recording: layers)
                let blocks = try layers.map { path -> FeatureMatrix in
                    guard let activation = recorded[path] else { throw StageError(stage: "features", path: "layers", "layer `\(path)` produced no activation") }
                    let shape: FeaturePooling.LayerShape = activation.rank == 4
                        ? .map(channels: activation.shape[1], height: activation.shape[2], width: activation.shape[3])
                        : .vector(activation.count / activation.shape[0])
                    return try pooling.pool(activation.data, examples: activation.shape[0], shape: shape)
                }
                try spill.append(blocks)
                try progress(Double(range.upperBound) / Double(max(1, data.count)))
            }
        }
    }

    /// Module paths of the requested layers (``ModelSpec/featureLayers(_:)``, which the checker also reads).
    static func layerPaths(_ requested: [String], spec: ModelSpec, stage: String) throws -> [String] {
        do { return try spec.featureLayers(requested).map(\.path) } catch let error as FeatureLayerError {
            throw StageError(stage: stage, path: "layers", error.message, help: "layers: " + spec.tapNames.joined(separator: ", "))
        }
    }
}
