/// How each layer's block of features is normalised before concatenation.
public enum LayerNormalization: String, Sendable, Codable, CaseIterable {
    /// Divide each example's block by its L2 norm: `x / max(||x||₂, ε)`.
    case l2PerExample = "l2"
    /// Per-feature standardisation with statistics fitted on a reference set.
    case standardize
    /// Leave the block as it is.
    case none
}

/// Where a layer's features sit in the concatenated vector.
public struct FeatureLayerSpan: Sendable, Codable, Equatable {
    public var layer: String
    /// Column range `start ..< start + count`.
    public var start: Int
    public var count: Int
    public var range: Range<Int> { start ..< start + count }

    public init(layer: String, start: Int, count: Int) {
        self.layer = layer
        self.start = start
        self.count = count
    }
}

/// Per-layer normalisation and concatenation of pooled features (all-layer DFR,
/// step 2), with a record of which layer every feature came from.
///
/// Fit once on a reference set (standardisation statistics come from it), then
/// `apply` to every set so all share the same transform:
///
/// ```swift
/// let assembly = try LayerFeatureAssembly.fit(layers: valBlocks, normalization: .l2PerExample)
/// let val = try assembly.apply(valBlocks), test = try assembly.apply(testBlocks)
/// ```
public struct LayerFeatureAssembly: Sendable, Codable, Equatable {
    public var normalization: LayerNormalization
    public var spans: [FeatureLayerSpan]
    /// One per layer when `normalization == .standardize`, else empty.
    public var standardizers: [Standardizer]

    public var featureCount: Int { spans.last.map { $0.start + $0.count } ?? 0 }

    /// Records the layout of `layers` (name, pooled block) and fits per-layer statistics.
    public static func fit(layers: [(name: String, features: FeatureMatrix)],
                           normalization: LayerNormalization) throws -> LayerFeatureAssembly {
        guard let first = layers.first else { throw LearnError.empty(what: "list of feature layers") }
        for layer in layers where layer.features.rows != first.features.rows {
            throw LearnError.countMismatch(what: "rows of layer `\(layer.name)`", expected: first.features.rows, found: layer.features.rows)
        }
        return try LayerFeatureAssembly(layers: layers.map { ($0.name, $0.features.columns) }, normalization: normalization) {
            try Standardizer.fit(layers[$0].features)
        }
    }

    /// The layout of `layers` (name, number of columns), in order; when standardising, `standardizer(i)`
    /// gives layer i's statistics fitted on the reference set (for rows that are not held in memory).
    public init(layers: [(name: String, columns: Int)], normalization: LayerNormalization,
                standardizer: (Int) throws -> Standardizer) throws {
        guard !layers.isEmpty else { throw LearnError.empty(what: "list of feature layers") }
        var spans: [FeatureLayerSpan] = []
        var start = 0
        for layer in layers {
            spans.append(FeatureLayerSpan(layer: layer.name, start: start, count: layer.columns))
            start += layer.columns
        }
        self.normalization = normalization
        self.spans = spans
        standardizers = normalization == .standardize ? try layers.indices.map(standardizer) : []
    }

    /// Normalises each block and concatenates them in the recorded order.
    public func apply(_ layers: [(name: String, features: FeatureMatrix)]) throws -> FeatureMatrix {
        guard layers.count == spans.count else {
            throw LearnError.countMismatch(what: "feature layers", expected: spans.count, found: layers.count)
        }
        var blocks: [FeatureMatrix] = []
        for (index, layer) in layers.enumerated() {
            let span = spans[index]
            guard layer.name == span.layer else {
                throw LearnError.invalidParameter(name: "layer \(index)", value: "`\(layer.name)`", expected: "`\(span.layer)`, in the order the assembly was fitted")
            }
            guard layer.features.columns == span.count else {
                throw LearnError.featureCountMismatch(expected: span.count, found: layer.features.columns)
            }
            switch normalization {
            case .none: blocks.append(layer.features)
            case .standardize: blocks.append(try standardizers[index].apply(layer.features))
            case .l2PerExample: blocks.append(Self.l2Normalized(layer.features))
            }
        }
        return FeatureMatrix.concatenatingColumns(blocks)
    }

    /// The layer a concatenated feature index came from.
    public func layer(ofFeature index: Int) -> String? {
        spans.first { $0.range.contains(index) }?.layer
    }

    /// Counts of `features` (concatenated indices) per layer, in layer order — e.g. how
    /// many Head2Toe kept from each layer.
    public func countsPerLayer(_ features: [Int]) -> [(layer: String, count: Int)] {
        spans.map { span in (span.layer, features.filter { span.range.contains($0) }.count) }
    }

    static func l2Normalized(_ x: FeatureMatrix) -> FeatureMatrix {
        var out = x
        let d = x.columns
        out.values.withUnsafeMutableBufferPointer { v in
            for i in 0..<x.rows {
                var sum = 0.0
                for j in 0..<d { sum += Double(v[i * d + j]) * Double(v[i * d + j]) }
                let scale = Float(1 / max(sum.squareRoot(), 1e-12))
                for j in 0..<d { v[i * d + j] *= scale }
            }
        }
        return out
    }
}
