/// A named sequence of points: one line in a line chart, one colour in a scatter.
public struct ChartSeries: Sendable, Equatable {
    public var name: String
    public var points: [ChartPoint]

    public init(name: String, points: [ChartPoint]) {
        self.name = name
        self.points = points
    }

    /// A series from y values at x = 1, 2, 3, … (epochs, steps).
    public init(name: String, values: [Double], firstX: Double = 1) {
        self.name = name
        self.points = values.enumerated().map { ChartPoint(x: firstX + Double($0.offset), y: $0.element) }
    }
}
