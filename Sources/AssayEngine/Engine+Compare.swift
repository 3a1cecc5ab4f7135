import AssaySupport

/// How a stage differs between two versions of an experiment (`assay diff A.yaml B.yaml`).
public struct StageComparison: Sendable, Equatable {
    public enum Change: String, Sendable, Equatable {
        /// Same key: B reuses A's result.
        case same
        /// Different key (or a different recipe where keys are not known yet).
        case changed
        case onlyInA
        case onlyInB
    }

    public var point: String
    public var stage: String
    public var change: Change
    /// Keys where known (nil: an upstream stage must run first).
    public var keyA: Digest?
    public var keyB: Digest?
}

extension Engine {
    /// Compares two plans stage by stage without running anything. Where both keys are known
    /// they decide; otherwise a stage is the same when its operator, version, parameters and
    /// the recipes of everything upstream are the same (a *recipe digest* stands in for the key).
    public func compare(_ a: [(point: String, plan: Plan)], _ b: [(point: String, plan: Plan)]) throws -> [StageComparison] {
        let statusA = try status(points: a)
        let statusB = try status(points: b)
        let recipesA = Engine.recipeDigests(a, known: statusA)
        let recipesB = Engine.recipeDigests(b, known: statusB)
        var out: [StageComparison] = []
        var seen = Set<String>()
        for report in statusA.stages + statusB.stages {
            let id = report.point + "\u{0}" + report.stage
            guard seen.insert(id).inserted else { continue }
            let x = statusA.report(stage: report.stage, point: report.point)
            let y = statusB.report(stage: report.stage, point: report.point)
            let change: StageComparison.Change
            if x == nil {
                change = .onlyInB
            } else if y == nil {
                change = .onlyInA
            } else {
                change = recipesA[id] == recipesB[id] ? .same : .changed
            }
            out.append(StageComparison(point: report.point, stage: report.stage, change: change, keyA: x?.key, keyB: y?.key))
        }
        return out
    }

    /// The key where known, else SHA-256 over the recipe with producers' recipe digests as inputs.
    static func recipeDigests(_ points: [(point: String, plan: Plan)], known: RunResult) -> [String: Digest] {
        var out: [String: Digest] = [:]
        for (point, plan) in points {
            for i in plan.order {
                let node = plan.nodes[i]
                let id = point + "\u{0}" + node.id
                if let key = known.report(stage: node.id, point: point)?.key {
                    out[id] = key
                    continue
                }
                let inputs = node.inputs.map { input -> (slot: String, digest: Digest) in
                    let producer = out[point + "\u{0}" + input.node] ?? Digest.of("")
                    return (slot: input.slot, digest: Digest.of(producer.hex + "/" + input.output))
                }
                out[id] = StageKey.compute(
                    operatorName: "pending:" + node.operatorName, operatorVersion: node.operatorVersion,
                    parameters: node.parameters, inputs: inputs)
            }
        }
        return out
    }
}
