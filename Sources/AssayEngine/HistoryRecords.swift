import AssaySupport

/// One run as the history lists it.
public struct RunSummary: Sendable, Equatable {
    public var id: String
    /// Seconds since 1970.
    public var started: Double
    public var finished: Double?
    public var experimentPath: String
    public var experimentDigest: String
    public var gitCommit: String?
    public var status: String
    public var points: [String]
    public var executed: Int
    public var hits: Int
    public var failed: Int
}

/// A run with everything recorded about it.
public struct RunDetails: Sendable, Equatable {
    public var summary: RunSummary
    public var parametersJSON: String
    public var stages: [StageRecord]
}

/// One stage of one run.
public struct StageRecord: Sendable, Equatable {
    public var runID: String
    public var point: String
    public var stage: String
    public var operatorName: String
    public var key: Digest?
    /// `hit`, `executed`, `failed`, `skipped`, `cancelled`, `not-selected`.
    public var status: String
    /// The failure message, or the stage whose failure caused the skip.
    public var message: String?
    public var duration: Double
    public var outputs: [String: Digest]
    public var metrics: [String: Double]
    /// The executor's job id (e.g. Slurm's), when the executor reported one.
    public var executorJobID: String?
}

/// What a stage key was computed from: enough to say later what changed.
public struct Recipe: Sendable, Equatable {
    public var key: Digest
    public var stage: String
    public var operatorName: String
    public var operatorVersion: Int
    public var parametersJSON: String
    public var inputs: [String: Digest]
    public var duration: Double?
}

/// Two runs side by side.
public struct RunDiff: Sendable, Equatable {
    public struct StageChange: Sendable, Equatable {
        public var point: String
        public var stage: String
        public var keyA: Digest?
        public var keyB: Digest?
        public var statusA: String?
        public var statusB: String?
        public var keyChanged: Bool { keyA != keyB }
    }

    public struct MetricRow: Sendable, Equatable {
        public var point: String
        public var stage: String
        public var name: String
        public var a: Double?
        public var b: Double?
        /// b − a when both exist.
        public var delta: Double? { if let a, let b { return b - a } else { return nil } }
    }

    public var runA: String
    public var runB: String
    /// Resolved-parameter differences by data path (from A to B).
    public var parameters: [ValueChange]
    /// Every stage present in either run.
    public var stages: [StageChange]
    public var metrics: [MetricRow]
}
