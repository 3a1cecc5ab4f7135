import AssaySupport

/// The DFR recipe (Kirichenko, Izmailov & Wilson 2023): last-layer retraining by
/// L1 logistic regression on group-balanced held-out data.
///
/// 1. Split the held-out set into halves, stratified by group (seeded).
/// 2. For each C on the grid: standardise with half 1's statistics, fit on a
///    group-balanced subsample of half 1, score worst-group accuracy (WGA) on half 2.
///    The same subsample(s) serve every C so that C is the only thing that varies.
/// 3. Pick the C with the best WGA; ties go to the smaller C (stronger regularisation),
///    the more conservative model.
/// 4. Standardise with the whole set's statistics and fit `finalFits` times on
///    independent balanced subsamples of the whole set; the model is the mean of their
///    coefficients and intercepts. (L1 fits start from the tuning fit at the chosen C:
///    same optimum, fewer iterations.)
///
/// With `balance: .reweight`, steps 2 and 4 fit on every row instead of balanced subsamples,
/// each weighted inversely to its group's size among the fitted rows
/// (`GroupSampling.inverseGroupSizeWeights`); the data no longer vary between fits, so the
/// final model is a single fit and `finalFits` / `tuningFits` are not used (`.none` likewise,
/// unweighted: plain logistic regression on the held-out set, a baseline).
///
/// Every subsample draws from its own `SeededRandom` stream, so results are
/// identical for any thread count. Without group annotations, pass the labels as
/// groups: the recipe then balances classes.
///
/// ```swift
/// let result = try DeepFeatureReweighting(seed: 0).fit(valFeatures, labels: valLabels, groups: valGroups)
/// let predicted = try result.model.predict(testFeatures)
/// let wga = try GroupAccuracy(predicted: predicted, truth: testLabels, groups: testGroups).worstGroupAccuracy
/// ```
public struct DeepFeatureReweighting: Sendable, Equatable {
    public var cGrid: [Double]
    public var penalty: Penalty
    public var finalFits: Int
    /// Balanced subsamples of half 1 per C while tuning (their WGAs are averaged).
    public var tuningFits: Int
    public var tolerance: Double
    public var balance: GroupBalance
    public var seed: UInt64
    public var threads: Int

    public static let defaultCGrid: [Double] = [1, 0.7, 0.3, 0.1, 0.07, 0.03, 0.01]

    public init(cGrid: [Double] = DeepFeatureReweighting.defaultCGrid, penalty: Penalty = .l1, finalFits: Int = 20,
                tuningFits: Int = 1, tolerance: Double = 1e-4, balance: GroupBalance = .subsample, seed: UInt64 = 0, threads: Int = 1) {
        self.cGrid = cGrid
        self.penalty = penalty
        self.finalFits = finalFits
        self.tuningFits = tuningFits
        self.tolerance = tolerance
        self.balance = balance
        self.seed = seed
        self.threads = threads
    }

    /// Runs the recipe on held-out features `x` with `labels` and `groups` (one per row).
    /// `progress` is called on the calling thread after each phase step.
    public func fit(_ x: FeatureMatrix, labels: [Int32], groups: [Int32],
                    progress: ((DFRProgress) -> Void)? = nil) throws -> DFRResult {
        guard labels.count == x.rows else { throw LearnError.countMismatch(what: "labels", expected: x.rows, found: labels.count) }
        guard groups.count == x.rows else { throw LearnError.countMismatch(what: "group ids", expected: x.rows, found: groups.count) }
        guard !cGrid.isEmpty, cGrid.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw LearnError.invalidParameter(name: "C grid", value: "\(cGrid)", expected: "a non-empty list of positive numbers")
        }
        guard finalFits >= 1, tuningFits >= 1 else {
            throw LearnError.invalidParameter(name: "fits", value: "final \(finalFits), tuning \(tuningFits)", expected: "at least 1 each")
        }
        let groupCount = Set(groups).count
        for (g, members) in GroupSampling.indicesByGroup(groups) where members.count < 2 {
            throw LearnError.invalidParameter(
                name: "groups", value: "group \(g) has \(members.count) example(s)",
                expected: "at least 2 held-out examples per group, so that both halves contain every group")
        }

        // 1. Stratified halves.
        var splitRandom = SeededRandom(seed: seed, stream: 0)
        let (tuneRows, scoreRows) = GroupSampling.stratifiedHalves(groups: groups, random: &splitRandom)

        // 2. Tune C.
        let tuneStandardizer = try Standardizer.fit(x, rows: tuneRows)
        let standardized = try tuneStandardizer.apply(x)
        let scoreMatrix = standardized.selectingRows(scoreRows)
        let scoreLabels = scoreRows.map { labels[$0] }
        let scoreGroups = scoreRows.map { groups[$0] }
        let tuningFits = balance == .subsample ? self.tuningFits : 1
        var subsamples: [[Int]] = []
        for t in 0..<tuningFits {
            var random = SeededRandom(seed: seed, stream: 1_000 + UInt64(t))
            subsamples.append(balance == .subsample ? try GroupSampling.balancedSubsample(groups: groups, rows: tuneRows, random: &random) : tuneRows)
        }
        let tuneWeights = balance == .reweight ? GroupSampling.inverseGroupSizeWeights(groups: groups, rows: tuneRows) : nil
        let jobs = cGrid.indices.flatMap { ci in (0..<tuningFits).map { (ci, $0) } }
        let tunedFits = try parallelMap(jobs.count, threads: threads) { k -> (LogisticRegressionModel, GroupAccuracy) in
            let (ci, t) = jobs[k]
            let model = try classifier(c: cGrid[ci], stream: UInt64(k)).fit(standardized, labels: labels, rows: subsamples[t], weights: tuneWeights)
            let predicted = try model.predict(scoreMatrix)
            return (model, try GroupAccuracy(predicted: predicted, truth: scoreLabels, groups: scoreGroups))
        }
        let tuned = tunedFits.map(\.1)
        var table: [DFRTuningRow] = []
        for (ci, c) in cGrid.enumerated() {
            let results = (0..<tuningFits).map { tuned[ci * tuningFits + $0] }
            let wga = results.map(\.worstGroupAccuracy).reduce(0, +) / Double(tuningFits)
            let mean = results.map(\.meanAccuracy).reduce(0, +) / Double(tuningFits)
            let row = DFRTuningRow(c: c, worstGroupAccuracy: wga, meanAccuracy: mean, groupAccuracy: results[0])
            table.append(row)
            progress?(.tuned(row))
        }
        // 3. Best WGA; ties to the smaller C.
        let bestIndex = table.indices.max { a, b in
            let ra = table[a], rb = table[b]
            return ra.worstGroupAccuracy != rb.worstGroupAccuracy ? ra.worstGroupAccuracy < rb.worstGroupAccuracy : ra.c > rb.c
        }!
        let best = table[bestIndex]
        // The tuning fit at the chosen C (another subsample, half-1 scaling) is close to every
        // final fit's optimum: starting there saves most Newton steps without moving the optimum.
        let warmStart = penalty == .l1 ? tunedFits[bestIndex * tuningFits].0 : nil

        // 4. Final ensemble on the whole set.
        let finalStandardizer = try Standardizer.fit(x)
        let whole = try finalStandardizer.apply(x)
        let finalFits = balance == .subsample ? self.finalFits : 1
        let finalWeights = balance == .reweight ? GroupSampling.inverseGroupSizeWeights(groups: groups) : nil
        let models = try parallelMap(finalFits, threads: threads) { f -> LogisticRegressionModel in
            var random = SeededRandom(seed: seed, stream: 2_000 + UInt64(f))
            let rows = balance == .subsample ? try GroupSampling.balancedSubsample(groups: groups, random: &random) : nil
            return try classifier(c: best.c, stream: 3_000 + UInt64(f)).fit(whole, labels: labels, rows: rows, weights: finalWeights, warmStart: warmStart)
        }
        progress?(.finalFitsDone(count: finalFits))
        let averaged = try LogisticRegressionModel.average(models)
        return DFRResult(model: DFRModel(standardizer: finalStandardizer, classifier: averaged),
                         chosenC: best.c, tuning: table, groupCount: groupCount, finalFits: finalFits)
    }

    private func classifier(c: Double, stream: UInt64) -> LogisticRegression {
        LogisticRegression(penalty: penalty, c: c, tolerance: tolerance, seed: seed &+ stream &* 0x9E37_79B9, threads: 1)
    }
}

/// What DFR reports while it runs.
public enum DFRProgress: Sendable {
    case tuned(DFRTuningRow)
    case finalFitsDone(count: Int)
}

/// One line of the C-tuning table: scores on the second half of the held-out set.
public struct DFRTuningRow: Sendable, Codable, Equatable {
    public var c: Double
    public var worstGroupAccuracy: Double
    public var meanAccuracy: Double
    /// Per-group accuracy of the first tuning fit.
    public var groupAccuracy: GroupAccuracy
}

/// The outcome of `DeepFeatureReweighting.fit`.
public struct DFRResult: Sendable, Codable, Equatable {
    public var model: DFRModel
    public var chosenC: Double
    public var tuning: [DFRTuningRow]
    public var groupCount: Int
    /// Fits averaged into the model (1 with `balance: .reweight`).
    public var finalFits: Int
}

/// A retrained last layer: standardisation followed by the averaged linear classifier.
public struct DFRModel: Sendable, Codable, Equatable {
    public var standardizer: Standardizer
    public var classifier: LogisticRegressionModel

    public init(standardizer: Standardizer, classifier: LogisticRegressionModel) {
        self.standardizer = standardizer
        self.classifier = classifier
    }

    /// Scores on raw (unstandardised) features, `rows × classifier.scoreCount`.
    public func decisionFunction(_ x: FeatureMatrix) throws -> [Double] {
        try classifier.decisionFunction(standardizer.apply(x))
    }

    public func predict(_ x: FeatureMatrix) throws -> [Int32] {
        try classifier.predict(standardizer.apply(x))
    }
}
