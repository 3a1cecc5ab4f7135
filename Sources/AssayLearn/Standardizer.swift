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
        let picked = rows ?? Array(0..<x.rows)
        guard !picked.isEmpty else { throw LearnError.empty(what: "standardisation fit set") }
        let d = x.columns
        var mean = [Double](repeating: 0, count: d)
        var m2 = [Double](repeating: 0, count: d)
        x.values.withUnsafeBufferPointer { v in
            for i in picked {
                for j in 0..<d { mean[j] += Double(v[i * d + j]) }
            }
            let n = Double(picked.count)
            for j in 0..<d { mean[j] /= n }
            // Two passes: the centred sum of squares does not cancel catastrophically.
            for i in picked {
                for j in 0..<d {
                    let delta = Double(v[i * d + j]) - mean[j]
                    m2[j] += delta * delta
                }
            }
        }
        let n = Double(picked.count)
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
