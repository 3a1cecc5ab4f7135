/// A metric over the values of a seed parameter: mean, sample standard deviation (n − 1 in
/// the denominator, as papers report it) and count. Non-finite values are left out.
///
/// ```swift
/// SeedStatistics([0.90, 0.92, 0.94])!.text(.fixed(3))   // "0.920 ± 0.020 (n=3)"
/// ```
public struct SeedStatistics: Sendable, Equatable {
    public var mean: Double
    /// NaN for a single value: one seed says nothing about the spread.
    public var standardDeviation: Double
    public var count: Int

    public init?(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        count = finite.count
        mean = finite.reduce(0, +) / Double(count)
        if count > 1 {
            let m = mean
            standardDeviation = (finite.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(count - 1)).squareRoot()
        } else {
            standardDeviation = .nan
        }
    }

    /// `0.920 ± 0.020 (n=3)`; a single value prints alone. `showsCount: false` leaves n to a caption.
    public func text(_ format: NumberFormat = .automatic, showsCount: Bool = true) -> String {
        guard count > 1 else { return format.format(mean) }
        return "\(format.format(mean)) ± \(format.format(standardDeviation))" + (showsCount ? " (n=\(count))" : "")
    }
}
