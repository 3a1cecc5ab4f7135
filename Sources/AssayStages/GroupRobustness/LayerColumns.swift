import AssayLearn

/// Where one layer's features sit among a features artifact's columns: `start ..< start + count`.
public struct LayerColumns: Codable, Equatable, Sendable {
    public var layer: String
    public var start: Int
    public var count: Int
    public var range: Range<Int> { start ..< start + count }

    public init(layer: String, start: Int, count: Int) {
        self.layer = layer
        self.start = start
        self.count = count
    }

    init(_ span: FeatureLayerSpan) { self.init(layer: span.layer, start: span.start, count: span.count) }
}
