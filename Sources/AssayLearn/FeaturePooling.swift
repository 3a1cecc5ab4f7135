import AssaySupport

/// Pools one layer's activations to about a target size (all-layer DFR, step 1).
///
/// For an activation map `[C, H, W]` and target `T`:
/// - `C ≥ T`: global average pooling, `C` features;
/// - otherwise adaptive average pooling into `p × p` cells with `p = ⌊√(T / C)⌋`,
///   flattened channel-major (`c·p² + i·p + j`, as PyTorch's `flatten`), `p²C` features.
///   Cell (i, j) averages rows `⌊iH/p⌋ ..< ⌈(i+1)H/p⌉` and columns `⌊jW/p⌋ ..< ⌈(j+1)W/p⌉`
///   (PyTorch's `adaptive_avg_pool2d` bins).
/// Vectors (`[D]`, e.g. a linear layer's output) pass through unchanged.
public struct FeaturePooling: Sendable, Equatable {
    public var targetSize: Int

    public init(targetSize: Int) throws {
        guard targetSize >= 1 else {
            throw LearnError.invalidParameter(name: "pool target", value: "\(targetSize)", expected: "a positive feature count")
        }
        self.targetSize = targetSize
    }

    /// The shape of one example's activation: `[D]` or `[C, H, W]`.
    public enum LayerShape: Sendable, Equatable, Hashable {
        case vector(Int)
        case map(channels: Int, height: Int, width: Int)

        public var elementCount: Int {
            switch self {
            case let .vector(d): return d
            case let .map(c, h, w): return c * h * w
            }
        }
    }

    /// Cells per side for a map with `channels` channels: 0 means global average pooling.
    public func cellsPerSide(channels: Int) -> Int {
        PooledFeatureCount.cellsPerSide(channels: channels, target: targetSize)
    }

    /// Features produced for one example of `shape`.
    public func outputSize(for shape: LayerShape) -> Int {
        switch shape {
        case let .vector(d): return d
        case let .map(c, _, _):
            let p = cellsPerSide(channels: c)
            return p == 0 ? c : p * p * c
        }
    }

    /// Pools a batch: `activations` is `examples × shape.elementCount`, row-major.
    public func pool(_ activations: [Float], examples: Int, shape: LayerShape) throws -> FeatureMatrix {
        guard activations.count == examples * shape.elementCount else {
            throw LearnError.countMismatch(what: "activations for \(examples) examples of \(shape)",
                                           expected: examples * shape.elementCount, found: activations.count)
        }
        guard case let .map(c, h, w) = shape else {
            return FeatureMatrix(rows: examples, columns: shape.elementCount, values: activations)
        }
        guard h > 0, w > 0 else { throw LearnError.empty(what: "activation map \(shape)") }
        let p = cellsPerSide(channels: c)
        let cells = max(p, 1)
        let rowBins = (0..<cells).map { i in (i * h) / cells ..< ((i + 1) * h + cells - 1) / cells }
        let columnBins = (0..<cells).map { j in (j * w) / cells ..< ((j + 1) * w + cells - 1) / cells }
        let width = cells * cells * c
        var out = [Float](repeating: 0, count: examples * width)
        let plane = h * w
        activations.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for e in 0..<examples {
                    for ch in 0..<c {
                        let base = e * c * plane + ch * plane
                        for (i, rows) in rowBins.enumerated() {
                            for (j, columns) in columnBins.enumerated() {
                                var sum: Double = 0
                                for r in rows { for q in columns { sum += Double(src[base + r * w + q]) } }
                                dst[e * width + ch * cells * cells + i * cells + j] = Float(sum / Double(rows.count * columns.count))
                            }
                        }
                    }
                }
            }
        }
        return FeatureMatrix(rows: examples, columns: width, values: out)
    }
}
