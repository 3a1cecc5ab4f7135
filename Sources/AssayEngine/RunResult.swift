import AssaySupport

public enum RunStatus: String, Sendable, Equatable {
    /// `running` is what the history holds while a run is live; `log` reports a run whose
    /// process died as `interrupted`.
    case succeeded, failed, cancelled, running, interrupted
    /// A dry run: nothing executed.
    case planned
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
    /// Hits downloaded from the remote cache in this run.
    public var remoteHits: [String] { stages.filter { $0.fromRemote }.map(\.stage) }
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
