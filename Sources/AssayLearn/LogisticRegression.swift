import AssaySupport

/// The penalty of a regularised linear model.
public enum Penalty: String, Sendable, Codable, CaseIterable {
    /// `||w||₁`: sparse coefficients (the DFR default).
    case l1
    /// `½||w||₂²`.
    case l2
}

/// Regularised logistic regression that reproduces scikit-learn's
/// `LogisticRegression(solver="liblinear", fit_intercept=True, intercept_scaling=s)`.
///
/// For labels mapped to `y ∈ {−1, +1}` and examples extended with a constant
/// bias feature of value `s` (its weight penalised like any other, as in liblinear),
/// the binary problem is
///
///     L1:  min_w ||w||₁        + C Σᵢ log(1 + exp(−yᵢ wᵀxᵢ))
///     L2:  min_w ½||w||₂²      + C Σᵢ log(1 + exp(−yᵢ wᵀxᵢ))
///
/// and the reported intercept is `s · w_bias`. With sample weights `vᵢ` the loss term of
/// example i is multiplied by `vᵢ` (`C vᵢ` per example), as scikit-learn's `sample_weight` does. More than two classes are fitted
/// one-vs-rest, one binary problem per class (classes in ascending label order).
/// L1 is solved by newGLMNET (Yuan, Ho & Lin 2012: a coordinate-descent quadratic
/// model per Newton step, then a line search), L2 by Newton–CG with backtracking.
///
/// ```swift
/// let model = try LogisticRegression(penalty: .l1, c: 0.1).fit(x, labels: y)
/// let predicted = model.predict(x)
/// ```
public struct LogisticRegression: Sendable, Equatable {
    public var penalty: Penalty
    /// Inverse regularisation strength (larger = weaker penalty).
    public var c: Double
    public var fitIntercept: Bool
    public var interceptScaling: Double
    /// Relative stopping tolerance on the optimality violation, scaled like
    /// liblinear (`tol · max(min(#pos, #neg), 1) / n` times the initial violation);
    /// scikit-learn's default is 1e-4.
    public var tolerance: Double
    /// Maximum outer (Newton) iterations per binary problem.
    public var maxIterations: Int
    /// Seeds the random coordinate order of the L1 solver.
    public var seed: UInt64
    /// Threads used for the one-vs-rest problems (results do not depend on it).
    public var threads: Int

    public init(penalty: Penalty = .l1, c: Double = 1, fitIntercept: Bool = true, interceptScaling: Double = 1,
                tolerance: Double = 1e-4, maxIterations: Int = 100, seed: UInt64 = 0, threads: Int = 1) {
        self.penalty = penalty
        self.c = c
        self.fitIntercept = fitIntercept
        self.interceptScaling = interceptScaling
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.seed = seed
        self.threads = threads
    }

    /// Fits on the rows `rows` of `x` (all rows when nil); `labels` has one entry per row of `x`,
    /// and so has `weights` (sample weights, positive; all 1 when nil).
    ///
    /// `warmStart` (L1 only) starts the solver from a model of the same classes and
    /// width, e.g. a fit on a similar subsample; the optimum and the stopping rule
    /// are unchanged, only the number of iterations drops.
    public func fit(_ x: FeatureMatrix, labels: [Int32], rows: [Int]? = nil, weights: [Double]? = nil,
                    warmStart: LogisticRegressionModel? = nil) throws -> LogisticRegressionModel {
        guard labels.count == x.rows else {
            throw LearnError.countMismatch(what: "labels", expected: x.rows, found: labels.count)
        }
        if let weights {
            guard weights.count == x.rows else { throw LearnError.countMismatch(what: "sample weights", expected: x.rows, found: weights.count) }
            guard weights.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw LearnError.invalidParameter(name: "sample weights", value: "\(weights.filter { !($0 > 0 && $0.isFinite) }.prefix(3))", expected: "positive finite numbers")
            }
        }
        guard c > 0, c.isFinite else {
            throw LearnError.invalidParameter(name: "C", value: "\(c)", expected: "a positive number")
        }
        guard interceptScaling > 0 else {
            throw LearnError.invalidParameter(name: "intercept_scaling", value: "\(interceptScaling)", expected: "a positive number")
        }
        guard tolerance > 0 else {
            throw LearnError.invalidParameter(name: "tolerance", value: "\(tolerance)", expected: "a positive number")
        }
        let picked = rows ?? Array(0..<x.rows)
        guard !picked.isEmpty else { throw LearnError.empty(what: "logistic regression training set") }
        let y = picked.map { labels[$0] }
        let classes = Array(Set(y)).sorted()
        guard classes.count >= 2 else { throw LearnError.singleClass(label: classes[0]) }

        var starts: [[Double]]? = nil
        if let warmStart, warmStart.classes == classes, warmStart.featureCount == x.columns {
            let d = x.columns
            starts = (0..<warmStart.scoreCount).map { k in
                Array(warmStart.coefficients[(k * d)..<((k + 1) * d)]) + (fitIntercept ? [warmStart.intercepts[k] / interceptScaling] : [])
            }
        }
        let design = LogisticDesign(x, rows: picked, biasValue: fitIntercept ? interceptScaling : nil)
        let costs = weights.map { w in picked.map { c * w[$0] } } ?? [Double](repeating: c, count: picked.count)
        let positives: [Int32] = classes.count == 2 ? [classes[1]] : classes
        let solutions: [[Double]]
        let solve = { (k: Int) -> [Double] in
            let signs = y.map { $0 == positives[k] ? 1.0 : -1.0 }
            let positiveCount = signs.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
            let scale = Double(max(min(positiveCount, signs.count - positiveCount), 1)) / Double(signs.count)
            switch self.penalty {
            case .l1:
                var random = SeededRandom(seed: self.seed, stream: UInt64(k))
                return L1LogisticSolver.solve(design, signs: signs, costs: costs, tolerance: self.tolerance * scale,
                                              maxNewtonIterations: self.maxIterations, initial: starts?[k],
                                              random: &random)
            case .l2:
                return L2LogisticSolver.solve(design, signs: signs, costs: costs, tolerance: self.tolerance * scale,
                                              maxNewtonIterations: self.maxIterations)
            }
        }
        solutions = parallelMap(positives.count, threads: threads, solve)

        let d = x.columns
        var coefficients = [Double]()
        coefficients.reserveCapacity(positives.count * d)
        var intercepts = [Double]()
        for w in solutions {
            coefficients.append(contentsOf: w[0..<d])
            intercepts.append(fitIntercept ? w[d] * interceptScaling : 0)
        }
        return LogisticRegressionModel(classes: classes, featureCount: d, coefficients: coefficients, intercepts: intercepts)
    }
}
