/// What an operator reports besides its output files: metrics and tables, recorded in the
/// action cache (so a cache hit reports them too) and in the run history.
public struct StageResult: Sendable, Equatable {
    public var metrics: [String: Double]
    /// Named JSON documents (e.g. per-group accuracies), stored as given.
    public var tables: [String: [UInt8]]

    public init(metrics: [String: Double] = [:], tables: [String: [UInt8]] = [:]) {
        self.metrics = metrics
        self.tables = tables
    }
}
