/// Where a long stage is: steps done, loss, items processed.
///
/// `step` and `totalSteps` count over the whole stage (not per epoch) so the
/// fraction done and the ETA need no knowledge of the epoch structure; `epoch`
/// is shown as information.
public struct StageProgress: Sendable, Equatable {
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

    public init(stage: String, step: Int, totalSteps: Int? = nil, epoch: Int? = nil, epochs: Int? = nil,
                loss: Double? = nil, items: Int? = nil, itemUnit: String = "ex") {
        self.stage = stage
        self.step = step
        self.totalSteps = totalSteps
        self.epoch = epoch
        self.epochs = epochs
        self.loss = loss
        self.items = items
        self.itemUnit = itemUnit
    }

    /// Fraction done in 0...1, when the total is known.
    public var fraction: Double? {
        guard let totalSteps, totalSteps > 0 else { return nil }
        return min(max(Double(step) / Double(totalSteps), 0), 1)
    }
}
