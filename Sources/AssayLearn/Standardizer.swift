/// Per-feature standardisation fitted on one set and applied to others:
/// `x'ᵢⱼ = (xᵢⱼ − μⱼ) / sⱼ`, with `μⱼ` the mean and `sⱼ` the population standard
/// deviation (divisor n, as scikit-learn's `StandardScaler`) of feature j over the
/// fit rows. Constant features get `sⱼ = 1` so they map to 0 instead of NaN.
public struct Standardizer: Sendable, Codable, Equatable {
    public var means: [Double]
    public var scales: [Double]

    public init(means: [Double], scales: [Double]) {
        precondition(means.count == scales.count)
        self.means = means
        self.scales = scales
    }

    /// Fits on the rows `rows` of `x` (all rows when nil).
    public static func fit(_ x: FeatureMatrix, rows: [Int]? = nil) throws -> Standardizer {
        let d = x.columns
        return try x.values.withUnsafeBufferPointer { v in
            try fit(rows: rows?.count ?? x.rows, columns: d) { body in
                guard let rows else { return try body(v) }
                for i in rows { try body(UnsafeBufferPointer(rebasing: v[i * d ..< (i + 1) * d])) }
            }
        }
    }

    /// Fits on `count` rows of `columns` values that `chunks(body)` hands to `body` a run of whole rows
    /// (row-major) at a time; it is called twice (means, then spreads) and must give the same rows in
    /// the same order both times. So rows kept in a file fit without being held; the result does not
    /// depend on how the rows are cut into runs.
    public static func fit(rows count: Int, columns d: Int,
                           chunks: ((UnsafeBufferPointer<Float>) throws -> Void) throws -> Void) throws -> Standardizer {
        guard count > 0 else { throw LearnError.empty(what: "standardisation fit set") }
        var mean = [Double](repeating: 0, count: d)
        var m2 = [Double](repeating: 0, count: d)
        try chunks { v in
            for i in 0..<(d == 0 ? 0 : v.count / d) {
                for j in 0..<d { mean[j] += Double(v[i * d + j]) }
            }
        }
        let n = Double(count)
        for j in 0..<d { mean[j] /= n }
        // Two passes: the centred sum of squares does not cancel catastrophically.
        try chunks { v in
            for i in 0..<(d == 0 ? 0 : v.count / d) {
                for j in 0..<d {
                    let delta = Double(v[i * d + j]) - mean[j]
                    m2[j] += delta * delta
                }
            }
        }
        let scales = m2.map { value -> Double in
            let sd = (value / n).squareRoot()
            return sd > 1e-12 ? sd : 1
        }
        return Standardizer(means: mean, scales: scales)
    }

    /// The standardised copy of `x`.
    public func apply(_ x: FeatureMatrix) throws -> FeatureMatrix {
        guard x.columns == means.count else { throw LearnError.featureCountMismatch(expected: means.count, found: x.columns) }
        var out = x
        let d = x.columns
        let inverse = scales.map { 1 / $0 }
        out.values.withUnsafeMutableBufferPointer { v in
            for i in 0..<x.rows {
                for j in 0..<d { v[i * d + j] = Float((Double(v[i * d + j]) - means[j]) * inverse[j]) }
            }
        }
        return out
    }
}
