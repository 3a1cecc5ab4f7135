import AssaySupport

extension Engine {
    /// Explains whether `stage` (of `point` in a sweep) will run and why: which parameter data
    /// paths or inputs changed since its last recorded run, a version bump, a missing result…
    public func explain(
        stage: String, point: String = "", in points: [(point: String, plan: Plan)], force: Set<String> = []
    ) throws -> StageExplanation {
        guard let plan = points.first(where: { $0.point == point })?.plan, let node = plan[stage] else {
            throw EngineError.unknownSelection(option: "explain", stage: stage)
        }
        let dry = try status(points: points)
        let report = dry.report(stage: stage, point: point)
        let key = report?.key
        if report?.status == .hit && !force.contains(stage) {
            return StageExplanation(point: point, stage: stage, key: key, willRun: false, reasons: [])
        }
        var reasons: [RerunReason] = force.contains(stage) ? [.forced] : []

        let history = try store.openHistory()
        var previous: Recipe?
        if let last = try history.latestKeyedRecord(stage: stage, point: point), let lastKey = last.key {
            previous = try history.recipe(for: lastKey)
            if previous == nil, let record = try store.actionRecord(for: lastKey) {
                previous = Recipe(
                    key: lastKey, stage: stage, operatorName: record.operatorName, operatorVersion: record.operatorVersion,
                    parametersJSON: String(decoding: record.parameters, as: UTF8.self),
                    inputs: Dictionary(uniqueKeysWithValues: record.inputs.map { ($0.slot, $0.digest) }), duration: record.duration)
            }
        }
        guard let previous else {
            return StageExplanation(point: point, stage: stage, key: key, willRun: true, reasons: reasons + [.neverRun])
        }
        if previous.operatorName != node.operatorName {
            reasons.append(.operatorChanged(from: previous.operatorName, to: node.operatorName))
        } else if previous.operatorVersion != node.operatorVersion {
            reasons.append(.operatorVersionChanged(from: previous.operatorVersion, to: node.operatorVersion))
        }
        let parameterChanges = JSONDiff.changes(from: Array(previous.parametersJSON.utf8), to: node.parameters)
        if !parameterChanges.isEmpty { reasons.append(.parametersChanged(parameterChanges)) }
        for input in node.inputs {
            let upstream = dry.report(stage: input.node, point: point)
            let current = upstream?.outputs[input.output]
            let before = previous.inputs[input.slot]
            if current == nil || current != before {
                reasons.append(.inputChanged(slot: input.slot, previous: before, current: current, upstream: input.node))
            }
        }
        if reasons.isEmpty, let key {
            if let record = try store.actionRecord(for: key), case .corrupt(let output, let digest, _) = store.check(record, verification: .full) {
                reasons.append(.cachedObjectCorrupt(output: output, digest: digest))
            } else {
                reasons.append(.cachedResultMissing(key: key))
            }
        }
        return StageExplanation(point: point, stage: stage, key: key, willRun: true, reasons: reasons)
    }

    public func explain(stage: String, in plan: Plan, force: Set<String> = []) throws -> StageExplanation {
        try explain(stage: stage, point: "", in: [(point: "", plan: plan)], force: force)
    }
}
