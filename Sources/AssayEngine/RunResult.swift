import AssaySupport

public enum RunStatus: String, Sendable, Equatable {
    case succeeded, failed, cancelled, running
    /// A dry run: nothing executed.
    case planned
}

/// How one stage of one point fared.
public enum StageStatus: Sendable, Equatable {
    /// Found in the action cache (or computed by another point of the same sweep).
    case hit
    case executed
    case failed(String)
    /// Not run because `stage` (upstream) failed.
    case skipped(because: String)
    case cancelled
    /// Dry run: would execute.
    case wouldRun
    /// Left out by `only`.
    case notSelected

    /// The word stored in the history.
    public var word: String {
        switch self {
        case .hit: return "hit"
        case .executed: return "executed"
        case .failed: return "failed"
        case .skipped: return "skipped"
        case .cancelled: return "cancelled"
        case .wouldRun: return "pending"
        case .notSelected: return "not-selected"
        }
    }
}

public struct StageReport: Sendable, Equatable {
    public var point: String
    public var stage: String
    public var operatorName: String
    /// Nil when the key could not be computed (an input is not available yet).
    public var key: Digest?
    public var status: StageStatus
    /// Seconds the operator ran (0 for hits).
    public var duration: Double
    public var outputs: [String: Digest]
    public var metrics: [String: Double]
    public var tables: [String: [UInt8]]
    /// The executor's name for the job that ran this stage (e.g. a Slurm job id), if it gave one.
    public var executorJobID: String? = nil
    /// For an executed stage with an earlier record: whether it wrote the same bytes as last
    /// time (then its dependents were cut off: Shake's "recomputed, same"). Nil otherwise.
    public var sameOutputsAsLastRun: Bool? = nil
}

public struct RunResult: Sendable {
    public var runID: String
    public var status: RunStatus
    /// The sweep points in the order given ("" for a single plan).
    public var points: [String]
    /// Every stage of every point, points in order, stages in topological order.
    public var stages: [StageReport]

    public func stages(point: String) -> [StageReport] { stages.filter { $0.point == point } }

    public func report(stage: String, point: String = "") -> StageReport? {
        stages.first { $0.stage == stage && $0.point == point }
    }

    /// Stage ids that executed (in any point), in completion-independent order.
    public var executed: [String] { stages.filter { $0.status == .executed }.map(\.stage) }
    public var hits: [String] { stages.filter { $0.status == .hit }.map(\.stage) }
    public var failed: [String] {
        stages.filter { if case .failed = $0.status { return true } else { return false } }.map(\.stage)
    }
    /// Skipped stages and the failed stage that caused each.
    public var skipped: [String: String] {
        var out: [String: String] = [:]
        for s in stages { if case .skipped(let cause) = s.status { out[s.stage] = cause } }
        return out
    }

    /// Metrics per point: `[point: ["stage.metric": value]]`, for a sweep's results table.
    public func metricsTable() -> [String: [String: Double]] {
        var table: [String: [String: Double]] = [:]
        for point in points { table[point] = [:] }
        for s in stages { for (name, value) in s.metrics { table[s.point, default: [:]]["\(s.stage).\(name)"] = value } }
        return table
    }
}
