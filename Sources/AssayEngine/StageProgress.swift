/// A progress report from a running stage.
public struct StageProgress: Sendable, Equatable {
    /// 0…1 when known.
    public var fraction: Double?
    public var message: String
    /// E.g. loss, accuracy, samples per second.
    public var metrics: [String: Double]

    public init(fraction: Double? = nil, message: String = "", metrics: [String: Double] = [:]) {
        self.fraction = fraction
        self.message = message
        self.metrics = metrics
    }
}
