/// A progress report from a running stage.
public struct StageProgress: Sendable, Equatable {
    /// 0…1 when known.
    public var fraction: Double?
    public var message: String
    /// E.g. loss, accuracy, samples per second.
    public var metrics: [String: Double]
    /// The message is worth a line of its own (e.g. "resumed after epoch 3"), not only a
    /// passing state of the progress bar.
    public var isNotice: Bool

    public init(fraction: Double? = nil, message: String = "", metrics: [String: Double] = [:], isNotice: Bool = false) {
        self.fraction = fraction
        self.message = message
        self.metrics = metrics
        self.isNotice = isNotice
    }
}
