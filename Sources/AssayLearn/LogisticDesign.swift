/// The training data as the logistic solvers see it: feature-major (one
/// contiguous row per feature, so coordinate descent walks memory in order), in
/// the features' own single precision (solvers accumulate in Double), with liblinear's bias feature of constant value `interceptScaling`
/// appended as the last feature when an intercept is fitted.
struct LogisticDesign {
    /// Examples.
    let count: Int
    /// Features including the bias feature.
    let width: Int
    /// `width × count`, row-major: feature j of example i is `values[j * count + i]`.
    let values: [Float]

    init(_ x: FeatureMatrix, rows: [Int]?, biasValue: Double?) {
        let picked = rows ?? Array(0..<x.rows)
        let n = picked.count
        let d = x.columns
        let width = d + (biasValue == nil ? 0 : 1)
        var values = [Float](repeating: 0, count: width * n)
        x.values.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { dst in
                for (k, i) in picked.enumerated() {
                    let base = i * d
                    for j in 0..<d { dst[j * n + k] = src[base + j] }
                }
                if let bias = biasValue {
                    for k in 0..<n { dst[d * n + k] = Float(bias) }
                }
            }
        }
        self.count = n
        self.width = width
        self.values = values
    }
}
