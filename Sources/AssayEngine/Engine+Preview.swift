import AssaySupport

/// One line of `assay plan`: a stage in order, its key when known, whether it is cached, and
/// how long it is expected to take from the history.
public struct PlannedStage: Sendable, Equatable {
    public var point: String
    public var stage: String
    public var operatorName: String
    /// Nil when an upstream stage must run first.
    public var key: Digest?
    public var cached: Bool
    /// Seconds, from the last execution of this key or else of this stage; nil without history.
    public var expectedSeconds: Double?
}

extension Engine {
    /// Every stage of every point in topological order, with cache state and expected cost.
    /// Executes nothing and records nothing.
    public func preview(points: [(point: String, plan: Plan)]) throws -> [PlannedStage] {
        let dry = try status(points: points)
        let history = try store.openHistory()
        var durations: [String: Double?] = [:]
        return try dry.stages.map { report in
            let cached = report.status == .hit
            var expected: Double? = nil
            if !cached {
                let memo = report.stage + "\u{0}" + (report.key?.hex ?? "")
                if let known = durations[memo] {
                    expected = known
                } else {
                    expected = try history.expectedDuration(stage: report.stage, key: report.key)
                    durations[memo] = expected
                }
            }
            return PlannedStage(
                point: report.point, stage: report.stage, operatorName: report.operatorName, key: report.key,
                cached: cached, expectedSeconds: expected)
        }
    }

    public func preview(_ plan: Plan) throws -> [PlannedStage] { try preview(points: [(point: "", plan: plan)]) }
}
