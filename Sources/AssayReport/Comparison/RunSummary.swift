import AssaySupport

/// What a report needs to know about one run to compare it with another:
/// its metrics (with the artifacts they came from) and each stage's cache key.
public struct RunSummary: Sendable, Equatable {
    public struct Metric: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var provenance: Digest?

        public init(name: String, value: Double, provenance: Digest? = nil) {
            self.name = name
            self.value = value
            self.provenance = provenance
        }
    }

    public var name: String
    /// Metrics in display order.
    public var metrics: [Metric]
    /// Stage name → the key its result is cached under.
    public var stageKeys: [String: Digest]

    public init(name: String, metrics: [Metric], stageKeys: [String: Digest] = [:]) {
        self.name = name
        self.metrics = metrics
        self.stageKeys = stageKeys
    }

    func metric(named name: String) -> Metric? {
        metrics.first { $0.name == name }
    }
}
