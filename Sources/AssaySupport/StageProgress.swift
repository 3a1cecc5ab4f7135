/// Where a running stage is: what its operator reports through the engine and what the CLI
/// shows (the progress line, the dashboard). One type from operator to screen.
///
/// `step` and `totalSteps` count over the whole stage (not per epoch) so the fraction done and
/// the ETA need no knowledge of the epoch structure; `epoch` is shown as information.
///
/// ```swift
/// context.report(StageProgress(step: 120, totalSteps: 500, epoch: 3, epochs: 10, loss: 0.43, items: 15_360))
/// ```
public struct StageProgress: Sendable, Equatable {
    /// The stage's name as shown; operators leave it empty and the CLI fills it in.
    public var stage: String
    /// Steps completed so far.
    public var step: Int
    public var totalSteps: Int?
    /// Current epoch, 1-based.
    public var epoch: Int?
    public var epochs: Int?
    public var loss: Double?
    /// Examples (or pixels, images…) processed so far; throughput is shown in these when given, else in steps.
    public var items: Int?
    /// What `items` counts, e.g. "ex", "img".
    public var itemUnit: String
    public var message: String
    /// The message is worth a line of its own (e.g. "resumed after epoch 3"), not only a
    /// passing state of the progress bar.
    public var isNotice: Bool
    /// Other figures (accuracy, learning rate), by name.
    public var metrics: [String: Double]
    /// False when the stage said only how far along it is (`init(fraction:…)`): its steps are
    /// per-mille of the whole, not units of work.
    public var countsSteps: Bool

    public init(stage: String = "", step: Int, totalSteps: Int? = nil, epoch: Int? = nil, epochs: Int? = nil,
                loss: Double? = nil, items: Int? = nil, itemUnit: String = "ex", message: String = "",
                isNotice: Bool = false, metrics: [String: Double] = [:]) {
        self.stage = stage
        self.step = step
        self.totalSteps = totalSteps
        self.epoch = epoch
        self.epochs = epochs
        self.loss = loss
        self.items = items
        self.itemUnit = itemUnit
        self.message = message
        self.isNotice = isNotice
        self.metrics = metrics
        countsSteps = true
    }

    /// Progress from a fraction done (0…1) and named figures. The names `step`, `total-steps`,
    /// `epoch`, `epochs`, `loss` and `items` fill the fields of the same meaning; without a step
    /// count the fraction becomes per-mille steps.
    public init(fraction: Double?, message: String = "", metrics: [String: Double] = [:], isNotice: Bool = false) {
        var others = metrics
        // Counts that are not finite, or too large for an Int, are dropped rather than trapping.
        func take(_ name: String) -> Int? {
            others.removeValue(forKey: name).flatMap { $0.isFinite && abs($0) < 1e18 ? Int($0) : nil }
        }
        let fraction = fraction.flatMap { $0.isFinite ? min(max($0, 0), 1) : nil }
        let step = take("step"), total = take("total-steps")
        self.init(step: step ?? fraction.map { Int($0 * 1000) } ?? 0,
                  totalSteps: step != nil ? total : (fraction != nil ? 1000 : nil),
                  epoch: take("epoch"), epochs: take("epochs"),
                  loss: others.removeValue(forKey: "loss"), items: take("items"),
                  message: message, isNotice: isNotice, metrics: others)
        countsSteps = step != nil
    }

    /// Fraction done in 0...1, when the total is known.
    public var fraction: Double? {
        guard let totalSteps, totalSteps > 0 else { return nil }
        return min(max(Double(step) / Double(totalSteps), 0), 1)
    }
}
