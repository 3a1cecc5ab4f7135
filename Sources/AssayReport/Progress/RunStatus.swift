/// Counts of stages by state, for the run-level status line.
public struct RunStatus: Sendable, Equatable {
    /// Stages in the plan, if announced.
    public var total: Int?
    /// Computed in this run and finished.
    public var done: Int = 0
    /// Served from the cache.
    public var cached: Int = 0
    public var running: Int = 0
    public var failed: Int = 0

    public init(total: Int? = nil, done: Int = 0, cached: Int = 0, running: Int = 0, failed: Int = 0) {
        self.total = total
        self.done = done
        self.cached = cached
        self.running = running
        self.failed = failed
    }

    /// Stages neither finished, cached, running nor failed.
    public var waiting: Int? {
        total.map { max($0 - done - cached - running - failed, 0) }
    }

    /// `7 stages: 3 done, 2 cached, 1 running, 0 failed, 1 waiting`.
    public var line: String {
        var parts = ["\(done) done", "\(cached) cached", "\(running) running", "\(failed) failed"]
        if let waiting, waiting > 0 { parts.append("\(waiting) waiting") }
        let head = total.map { "\($0) \($0 == 1 ? "stage" : "stages"): " } ?? "stages: "
        return head + parts.joined(separator: ", ")
    }

    /// `[5/7 · 2 cached · 1 running]`: the short form that prefixes the live terminal line.
    public var compact: String {
        let finished = done + cached + failed
        var parts = [total.map { "\(finished)/\($0)" } ?? "\(finished)"]
        if cached > 0 { parts.append("\(cached) cached") }
        if running > 0 { parts.append("\(running) running") }
        if failed > 0 { parts.append("\(failed) failed") }
        return "[" + parts.joined(separator: " · ") + "]"
    }
}
