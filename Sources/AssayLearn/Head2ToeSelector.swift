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
/// by FISTA (Beck & Teboulle 2009) with gradient-based adaptive restart, step `1/L`,
/// `L = ½ ||V^½ [X 1]||₂² / m` (V the sample weights, identity unless reweighting; a bound on the Lipschitz constant of the softmax loss's
/// gradient; the spectral norm by power iteration), and the group proximal step
/// `Wⱼ ← max(0, 1 − λ/(L||Wⱼ||)) Wⱼ`.
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
    /// How groups count equally: a group-balanced subsample, every row weighted inversely
    /// to its group's size (the loss becomes a weighted mean), or all rows alike.
    public var balance: GroupBalance
    public var seed: UInt64
    /// Threads for the gradient pass. The rows are cut into ranges fixed by their count and
    /// the partial sums added in range order, so every thread count gives the same result.
    public var threads: Int

    public init(relativeLambda: Double = 0.1, keepFraction: Double = 0.1, maxIterations: Int = 300,
                tolerance: Double = 1e-5, standardize: Bool = true, balance: GroupBalance = .subsample,
                seed: UInt64 = 0, threads: Int = 1) {
        self.relativeLambda = relativeLambda
        self.keepFraction = keepFraction
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.standardize = standardize
        self.balance = balance
        self.seed = seed
        self.threads = threads
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
        let rows = balance == .subsample ? try GroupSampling.balancedSubsample(groups: groups, random: &random) : Array(0..<x.rows)
        let weights = balance == .reweight ? GroupSampling.inverseGroupSizeWeights(groups: groups).map(Float.init) : nil
        var train = x.selectingRows(rows)
        if standardize { train = try Standardizer.fit(train).apply(train) }
        let classes = Array(Set(rows.map { labels[$0] })).sorted()
        guard classes.count >= 2 else { throw LearnError.singleClass(label: classes[0]) }
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let targets = rows.map { classIndex[labels[$0]]! }

        let head = GroupLassoSoftmaxHead(x: train, targets: targets, classCount: classes.count, weights: weights)
        let fit = head.fit(relativeLambda: relativeLambda, maxIterations: maxIterations, tolerance: tolerance,
                           threads: max(1, threads), progress: progress)

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
    /// All features, best first: by score, zero rows by gradient norm, then by index.
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
/// With `weights` (averaging 1) the cross-entropy is the weighted mean `(1/m) Σᵢ vᵢ CEᵢ`.
struct GroupLassoSoftmaxHead {
    /// Row ranges the gradient is split into: enough for 8 threads, independent of `threads`.
    static let gradientParts = 8
    let x: FeatureMatrix
    let targets: [Int]
    let classCount: Int
    var weights: [Float]? = nil

    struct Fit {
        var weights: [Float]  // d × k
        var bias: [Float]
        var lambda: Double
        var iterations: Int
        /// `||∇_{Wⱼ} CE||₂` at the final iterate, per feature.
        var gradientNorms: [Double]
    }

    /// Gradient of the mean cross-entropy at (W, b): returns ∂b and the loss, ∂W (d×k) in `gradW`.
    ///
    /// One pass over X: rows go in blocks small enough to stay in cache while their
    /// logits `X_b W` and their share `X_bᵀ R_b` of the gradient are computed. Rows are
    /// cut into a fixed number of contiguous ranges (set by the row count, never by
    /// `threads`), each with its own accumulator; threads take ranges and the partial
    /// sums are added in range order, so every thread count gives the same bits.
    private func gradient(_ w: [Float], _ b: [Float], threads: Int, gradW: inout [Float]) -> ([Float], Double) {
        let n = x.rows, d = x.columns, k = classCount
        let parts = max(1, min(Self.gradientParts, n))
        let bounds = (0...parts).map { $0 * n / parts }
        let partials = parallelMap(parts, threads: threads) { part -> (gradW: [Float], gradB: [Float], loss: Double) in
            let rows = bounds[part] ..< bounds[part + 1]
            var gw = [Float](repeating: 0, count: d * k)
            var gb = [Float](repeating: 0, count: k)
            var loss = 0.0
            let blockRows = max(1, min(rows.count, 131_072 / max(d, 1)))
            var logits = [Float](repeating: 0, count: blockRows * k)
            let scale = 1 / Float(n)
            x.values.withUnsafeBufferPointer { xv in
                var start = rows.lowerBound
                while start < rows.upperBound {
                    let m = min(blockRows, rows.upperBound - start)
                    let block = xv.baseAddress! + start * d
                    for i in 0..<m { for c in 0..<k { logits[i * k + c] = b[c] } }
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(k), Int32(d),
                                1, block, Int32(d), w, Int32(k), 1, &logits, Int32(k))
                    for i in 0..<m {
                        let target = targets[start + i]
                        var top = -Float.infinity
                        for c in 0..<k { top = max(top, logits[i * k + c]) }
                        var sum: Float = 0
                        for c in 0..<k { let e = exp(logits[i * k + c] - top); logits[i * k + c] = e; sum += e }
                        let weight = weights?[start + i] ?? 1
                        loss -= Double(weight) * Double(log(logits[i * k + target] / sum))
                        for c in 0..<k {
                            var r = logits[i * k + c] / sum
                            if c == target { r -= 1 }
                            r *= scale
                            if weights != nil { r *= weight }
                            logits[i * k + c] = r
                            gb[c] += r
                        }
                    }
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(k), Int32(m),
                                1, block, Int32(d), logits, Int32(k), 1, &gw, Int32(k))
                    start += m
                }
            }
            return (gw, gb, loss)
        }
        var gradB = partials[0].gradB
        gradW = partials[0].gradW
        var loss = partials[0].loss
        for part in partials.dropFirst() {
            for e in 0..<(d * k) { gradW[e] += part.gradW[e] }
            for c in 0..<k { gradB[c] += part.gradB[c] }
            loss += part.loss
        }
        return (gradB, loss / Double(n))
    }

    /// `||[X 1]||₂²` by power iteration on `[X 1]ᵀ V [X 1]` (V the sample weights, identity
    /// without them), padded by 5% for its underestimate.
    private func squaredSpectralNorm() -> Double {
        let n = x.rows, d = x.columns
        var v = [Float](repeating: 1 / Float(d + 1).squareRoot(), count: d + 1)
        var xv = [Float](repeating: 0, count: n)
        var estimate = 0.0
        for _ in 0..<30 {
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(d), 1, x.values, Int32(d), v, 1, 0, &xv, 1)
            for i in 0..<n { xv[i] += v[d] }
            if let weights { for i in 0..<n { xv[i] *= weights[i] } }
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
             threads: Int, progress: ((Int, Double) -> Void)?) -> Fit {
        let n = x.rows, d = x.columns, k = classCount
        var gradW = [Float](repeating: 0, count: d * k)
        let lipschitz = 0.5 * squaredSpectralNorm() / Double(n)
        let step = Float(1 / lipschitz)

        // Bias at W = 0: the log class frequencies; λ_max from the gradient there.
        var counts = [Double](repeating: 0, count: k)
        for (i, t) in targets.enumerated() { counts[t] += Double(weights?[i] ?? 1) }
        var b = counts.map { Float(log(max($0, 0.5) / Double(n))) }
        var w = [Float](repeating: 0, count: d * k)
        _ = gradient(w, b, threads: threads, gradW: &gradW)
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
            let (gradB, loss) = gradient(yW, yB, threads: threads, gradW: &gradW)
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
            // Gradient-based adaptive restart (O'Donoghue & Candès 2015): drop the momentum
            // when the step points against it, (y − W⁺)·(W⁺ − W) > 0.
            var alignment = 0.0
            for idx in 0..<(d * k) { alignment += Double((yW[idx] - next[idx]) * (next[idx] - w[idx])) }
            for c in 0..<k { alignment += Double((yB[c] - nextB[c]) * (nextB[c] - b[c])) }
            if alignment > 0 { t = 1 }
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
        _ = gradient(w, b, threads: threads, gradW: &gradW)
        let gradientNorms = (0..<d).map { j in
            (0..<k).reduce(0.0) { $0 + Double(gradW[j * k + $1]) * Double(gradW[j * k + $1]) }.squareRoot()
        }
        return Fit(weights: w, bias: b, lambda: lambda, iterations: iterations, gradientNorms: gradientNorms)
    }
}
