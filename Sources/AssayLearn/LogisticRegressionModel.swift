import CBLAS

/// A fitted (or averaged) linear classifier: one coefficient row per class
/// score, as scikit-learn's `coef_` and `intercept_`.
///
/// With two classes there is one row and the score `s = wᵀx + b` predicts
/// `classes[1]` when `s > 0`, else `classes[0]`; with K > 2 classes there are
/// K rows (one-vs-rest) and the prediction is the class of the largest score.
public struct LogisticRegressionModel: Sendable, Codable, Equatable {
    /// Distinct training labels, ascending.
    public var classes: [Int32]
    public var featureCount: Int
    /// `scoreCount × featureCount`, row-major.
    public var coefficients: [Double]
    /// One per score row.
    public var intercepts: [Double]

    public init(classes: [Int32], featureCount: Int, coefficients: [Double], intercepts: [Double]) {
        precondition(classes.count >= 2)
        let scores = classes.count == 2 ? 1 : classes.count
        precondition(coefficients.count == scores * featureCount && intercepts.count == scores)
        self.classes = classes
        self.featureCount = featureCount
        self.coefficients = coefficients
        self.intercepts = intercepts
    }

    /// Number of score rows: 1 for a binary model, else the number of classes.
    public var scoreCount: Int { intercepts.count }

    /// Number of coefficients that are exactly zero (L1 sparsity).
    public var zeroCoefficientCount: Int { coefficients.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } }

    /// Scores `S = X Wᵀ + b`, `rows × scoreCount`, row-major.
    public func decisionFunction(_ x: FeatureMatrix) throws -> [Double] {
        guard x.columns == featureCount else {
            throw LearnError.featureCountMismatch(expected: featureCount, found: x.columns)
        }
        let n = x.rows, d = featureCount, k = scoreCount
        var out = [Double](repeating: 0, count: n * k)
        guard n > 0 else { return out }
        for i in 0..<n { for r in 0..<k { out[i * k + r] = intercepts[r] } }
        guard d > 0 else { return out }
        // Rows go to Double a block at a time, so wide feature sets never get a full Double copy.
        let blockRows = max(1, min(n, 1 << 20 / d))
        var block = [Double](repeating: 0, count: blockRows * d)
        x.values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var start = 0
                while start < n {
                    let rows = min(blockRows, n - start)
                    for e in 0..<(rows * d) { block[e] = Double(src[start * d + e]) }
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(k), Int32(d),
                                1, block, Int32(d), coefficients, Int32(d), 1, dst.baseAddress! + start * k, Int32(k))
                    start += rows
                }
            }
        }
        return out
    }

    /// Predicted labels, one per row.
    public func predict(_ x: FeatureMatrix) throws -> [Int32] {
        let scores = try decisionFunction(x)
        let k = scoreCount
        return (0..<x.rows).map { i in
            if k == 1 { return scores[i] > 0 ? classes[1] : classes[0] }
            var best = 0
            for r in 1..<k where scores[i * k + r] > scores[i * k + best] { best = r }
            return classes[best]
        }
    }

    /// The element-wise mean of coefficients and intercepts (the DFR ensemble):
    /// `W̄ = (1/N) Σₙ Wₙ`, `b̄ = (1/N) Σₙ bₙ`. All models must share classes and width.
    public static func average(_ models: [LogisticRegressionModel]) throws -> LogisticRegressionModel {
        guard let first = models.first else { throw LearnError.empty(what: "list of models to average") }
        var coefficients = [Double](repeating: 0, count: first.coefficients.count)
        var intercepts = [Double](repeating: 0, count: first.intercepts.count)
        for model in models {
            guard model.classes == first.classes else {
                throw LearnError.invalidParameter(name: "models", value: "classes \(model.classes)",
                                                  expected: "the same classes \(first.classes) in every averaged model")
            }
            guard model.featureCount == first.featureCount else {
                throw LearnError.featureCountMismatch(expected: first.featureCount, found: model.featureCount)
            }
            for j in coefficients.indices { coefficients[j] += model.coefficients[j] }
            for j in intercepts.indices { intercepts[j] += model.intercepts[j] }
        }
        let scale = 1 / Double(models.count)
        return LogisticRegressionModel(classes: first.classes, featureCount: first.featureCount,
                                       coefficients: coefficients.map { $0 * scale },
                                       intercepts: intercepts.map { $0 * scale })
    }
}
