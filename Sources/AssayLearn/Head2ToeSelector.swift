import AssaySupport
import CBLAS
import Foundation

/// Head2Toe feature selection (Evci et al. 2022) as used by all-layer DFR: a
/// linear softmax head trained with a group-lasso penalty, one group per input
/// feature, on group-balanced data; features are ranked by their row's energy.
///
/// The head minimises
///
///     F(W, b) = (1/m) Σᵢ CE(softmax(Wᵀxᵢ + b), yᵢ) + λ Σⱼ ||Wⱼ,:||₂
///
/// by FISTA (Beck & Teboulle 2009) with step `1/L`, `L = ½ ||[X 1]||₂² / m` (a bound
/// on the Lipschitz constant of the softmax loss's gradient, the spectral norm by
/// power iteration), and the group proximal step `Wⱼ ← max(0, 1 − λ/(L||Wⱼ||)) Wⱼ`.
/// Feature j scores `sⱼ = Σₖ Wⱼₖ²`; the top `⌈keepFraction · D⌉` are kept. Rows the
/// penalty zeroed all score 0; among them the ranking continues by the loss-gradient
/// norm `||∇_{Wⱼ}||₂ ≤ λ` at the solution (how close the row is to entering the
/// model), then by index, so a keep fraction above the non-zero count is still meaningful.
///
/// λ is given relative to `λ_max = maxⱼ ||∇_{Wⱼ} F(0, b*)||₂`, the smallest λ that zeroes
/// every row, so one setting transfers across feature scales.
public struct Head2ToeSelector: Sendable, Equatable {
    /// λ as a fraction of λ_max (in (0, 1)); smaller keeps more rows non-zero.
    public var relativeLambda: Double
    public var keepFraction: Double
    public var maxIterations: Int
    /// Stop when `||W⁺ − W||_F ≤ tolerance · max(1, ||W||_F)`.
    public var tolerance: Double
    /// Standardise features (statistics of the training rows) before the head sees
    /// them, so the penalty treats every feature alike.
    public var standardize: Bool
    /// Train on a group-balanced subsample (true) or on all rows (false).
    public var balanceGroups: Bool
    public var seed: UInt64

    public init(relativeLambda: Double = 0.1, keepFraction: Double = 0.1, maxIterations: Int = 300,
                tolerance: Double = 1e-5, standardize: Bool = true, balanceGroups: Bool = true, seed: UInt64 = 0) {
        self.relativeLambda = relativeLambda
        self.keepFraction = keepFraction
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.standardize = standardize
        self.balanceGroups = balanceGroups
        self.seed = seed
    }

    /// Scores every column of `x` and keeps the top fraction. `labels` are class ids
    /// (any Int32 values), `groups` the group ids used for balancing.
    /// `progress` receives each FISTA iteration and a cheap objective estimate (the
    /// cross-entropy at the extrapolated point plus the penalty of the new iterate).
    public func select(_ x: FeatureMatrix, labels: [Int32], groups: [Int32],
                       progress: ((_ iteration: Int, _ objective: Double) -> Void)? = nil) throws -> Head2ToeSelection {
        guard labels.count == x.rows else { throw LearnError.countMismatch(what: "labels", expected: x.rows, found: labels.count) }
        guard groups.count == x.rows else { throw LearnError.countMismatch(what: "group ids", expected: x.rows, found: groups.count) }
        guard keepFraction > 0, keepFraction <= 1 else {
            throw LearnError.invalidParameter(name: "keep", value: "\(keepFraction)", expected: "a fraction in (0, 1]")
        }
        guard relativeLambda > 0, relativeLambda < 1 else {
            throw LearnError.invalidParameter(name: "lambda", value: "\(relativeLambda)", expected: "a fraction of λ_max in (0, 1)")
        }
        guard x.columns > 0 else { throw LearnError.empty(what: "feature set for selection (0 columns)") }

        var random = SeededRandom(seed: seed, stream: 0)
        let rows = balanceGroups ? try GroupSampling.balancedSubsample(groups: groups, random: &random) : Array(0..<x.rows)
        var train = x.selectingRows(rows)
        if standardize { train = try Standardizer.fit(train).apply(train) }
        let classes = Array(Set(rows.map { labels[$0] })).sorted()
        guard classes.count >= 2 else { throw LearnError.singleClass(label: classes[0]) }
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let targets = rows.map { classIndex[labels[$0]]! }

        let head = GroupLassoSoftmaxHead(x: train, targets: targets, classCount: classes.count)
        let fit = head.fit(relativeLambda: relativeLambda, maxIterations: maxIterations, tolerance: tolerance, progress: progress)

        let d = x.columns, k = classes.count
        let scores = (0..<d).map { j in (0..<k).reduce(0.0) { $0 + Double(fit.weights[j * k + $1]) * Double(fit.weights[j * k + $1]) } }
        let pull = fit.gradientNorms
        let ranking = (0..<d).sorted { a, b in
            if scores[a] != scores[b] { return scores[a] > scores[b] }
            if pull[a] != pull[b] { return pull[a] > pull[b] }
            return a < b
        }
        var selection = Head2ToeSelection(scores: scores, ranking: ranking, selected: [],
                                          nonzeroRows: scores.filter { $0 > 0 }.count, lambda: fit.lambda,
                                          iterations: fit.iterations, trainingRows: rows.count)
        selection.selected = try selection.keeping(fraction: keepFraction)
        return selection
    }
}

/// The outcome of Head2Toe selection.
public struct Head2ToeSelection: Sendable, Codable, Equatable {
    /// `sⱼ = Σₖ Wⱼₖ²` for every input feature.
    public var scores: [Double]
    /// All features, best first (ties by index).
    public var ranking: [Int]
    /// The kept feature indices, ascending (ready for `FeatureMatrix.selectingColumns`).
    public var selected: [Int]
    /// Rows the group lasso left non-zero; when fewer than `selected.count`, the tail
    /// of the selection was chosen among zero rows by gradient norm (lower λ to rank more by weight).
    public var nonzeroRows: Int
    /// The absolute λ used.
    public var lambda: Double
    public var iterations: Int
    public var trainingRows: Int

    /// The top `⌈fraction · D⌉` features of the same ranking, ascending — for tuning the
    /// keep fraction without refitting the head.
    public func keeping(fraction: Double) throws -> [Int] {
        guard fraction > 0, fraction <= 1 else {
            throw LearnError.invalidParameter(name: "keep", value: "\(fraction)", expected: "a fraction in (0, 1]")
        }
        let keep = min(ranking.count, max(1, Int((fraction * Double(ranking.count)).rounded(.up))))
        return Array(ranking[0..<keep]).sorted()
    }
}

/// Softmax regression with a row-wise group lasso, solved by FISTA in single
/// precision with BLAS (the data may be thousands × tens of thousands).
struct GroupLassoSoftmaxHead {
    let x: FeatureMatrix
    let targets: [Int]
    let classCount: Int

    struct Fit {
        var weights: [Float]  // d × k
        var bias: [Float]
        var lambda: Double
        var iterations: Int
        /// `||∇_{Wⱼ} CE||₂` at the final iterate, per feature.
        var gradientNorms: [Double]
    }

    /// Gradient of the mean cross-entropy at (W, b): returns (∂W (d×k), ∂b, loss).
    private func gradient(_ w: [Float], _ b: [Float], logits: inout [Float], gradW: inout [Float]) -> ([Float], Double) {
        let n = x.rows, d = x.columns, k = classCount
        for i in 0..<n { for c in 0..<k { logits[i * k + c] = b[c] } }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(k), Int32(d),
                    1, x.values, Int32(d), w, Int32(k), 1, &logits, Int32(k))
        var loss = 0.0
        var gradB = [Float](repeating: 0, count: k)
        let scale = 1 / Float(n)
        for i in 0..<n {
            var top = -Float.infinity
            for c in 0..<k { top = max(top, logits[i * k + c]) }
            var sum: Float = 0
            for c in 0..<k { let e = exp(logits[i * k + c] - top); logits[i * k + c] = e; sum += e }
            loss -= Double(log(logits[i * k + targets[i]] / sum))
            for c in 0..<k {
                var r = logits[i * k + c] / sum
                if c == targets[i] { r -= 1 }
                r *= scale
                logits[i * k + c] = r
                gradB[c] += r
            }
        }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(k), Int32(n),
                    1, x.values, Int32(d), logits, Int32(k), 0, &gradW, Int32(k))
        return (gradB, loss / Double(n))
    }

    /// `||[X 1]||₂²` by power iteration on `[X 1]ᵀ[X 1]`, padded by 5% for its underestimate.
    private func squaredSpectralNorm() -> Double {
        let n = x.rows, d = x.columns
        var v = [Float](repeating: 1 / Float(d + 1).squareRoot(), count: d + 1)
        var xv = [Float](repeating: 0, count: n)
        var estimate = 0.0
        for _ in 0..<30 {
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(d), 1, x.values, Int32(d), v, 1, 0, &xv, 1)
            for i in 0..<n { xv[i] += v[d] }
            var u = [Float](repeating: 0, count: d + 1)
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(n), Int32(d), 1, x.values, Int32(d), xv, 1, 0, &u, 1)
            u[d] = xv.reduce(0, +)
            let norm = u.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            guard norm > 0 else { return 1 }
            let previous = estimate
            estimate = norm
            for j in 0...d { v[j] = Float(Double(u[j]) / norm) }
            if abs(estimate - previous) <= 1e-4 * estimate { break }
        }
        return estimate * 1.05
    }

    func fit(relativeLambda: Double, maxIterations: Int, tolerance: Double,
             progress: ((Int, Double) -> Void)?) -> Fit {
        let n = x.rows, d = x.columns, k = classCount
        var logits = [Float](repeating: 0, count: n * k)
        var gradW = [Float](repeating: 0, count: d * k)
        let lipschitz = 0.5 * squaredSpectralNorm() / Double(n)
        let step = Float(1 / lipschitz)

        // Bias at W = 0: the log class frequencies; λ_max from the gradient there.
        var counts = [Double](repeating: 0, count: k)
        for t in targets { counts[t] += 1 }
        var b = counts.map { Float(log(max($0, 0.5) / Double(n))) }
        var w = [Float](repeating: 0, count: d * k)
        _ = gradient(w, b, logits: &logits, gradW: &gradW)
        var lambdaMax = 0.0
        for j in 0..<d {
            var s = 0.0
            for c in 0..<k { s += Double(gradW[j * k + c]) * Double(gradW[j * k + c]) }
            lambdaMax = max(lambdaMax, s.squareRoot())
        }
        let lambda = relativeLambda * lambdaMax
        let threshold = Float(lambda) * step

        var yW = w, yB = b
        var t: Float = 1
        var iterations = 0
        for iteration in 1...max(1, maxIterations) {
            iterations = iteration
            let (gradB, loss) = gradient(yW, yB, logits: &logits, gradW: &gradW)
            var next = [Float](repeating: 0, count: d * k)
            var penalty = 0.0
            for j in 0..<d {
                var norm: Float = 0
                for c in 0..<k {
                    let v = yW[j * k + c] - step * gradW[j * k + c]
                    next[j * k + c] = v
                    norm += v * v
                }
                norm = norm.squareRoot()
                let shrink: Float = norm > threshold ? 1 - threshold / norm : 0
                for c in 0..<k { next[j * k + c] *= shrink }
                penalty += Double(norm * shrink)
            }
            let nextB = (0..<k).map { yB[$0] - step * gradB[$0] }
            let tNext = (1 + (1 + 4 * t * t).squareRoot()) / 2
            let momentum = (t - 1) / tNext
            var change = 0.0, size = 0.0
            for idx in 0..<(d * k) {
                let delta = next[idx] - w[idx]
                change += Double(delta * delta)
                size += Double(next[idx] * next[idx])
                yW[idx] = next[idx] + momentum * delta
            }
            for c in 0..<k { yB[c] = nextB[c] + momentum * (nextB[c] - b[c]) }
            w = next
            b = nextB
            t = tNext
            progress?(iteration, loss + lambda * penalty)
            if change.squareRoot() <= tolerance * max(1, size.squareRoot()) { break }
        }
        _ = gradient(w, b, logits: &logits, gradW: &gradW)
        let gradientNorms = (0..<d).map { j in
            (0..<k).reduce(0.0) { $0 + Double(gradW[j * k + $1]) * Double(gradW[j * k + $1]) }.squareRoot()
        }
        return Fit(weights: w, bias: b, lambda: lambda, iterations: iterations, gradientNorms: gradientNorms)
    }
}
