import AssayEngine
import AssaySupport

/// Inside a job submitted with the whole plan: works out the stage job of
/// one stage from the action records its upstream jobs left in the store.
///
/// A key depends on the *content* of the inputs, so a stage's key is known
/// only once its producers have run; Slurm's `afterok` guarantees they have.
/// Keys are recomputed from the plan up the chain of producers, exactly as
/// the engine computes them, so the job publishes under the same key a local
/// run would.
public struct PlanStageResolver {
    public enum ResolutionError: Error, Equatable, Sendable, CustomStringConvertible {
        case unknownStage(String)
        case upstreamNotComputed(stage: String, upstream: String)
        case missingOutput(stage: String, upstream: String, output: String)

        public var description: String {
            switch self {
            case .unknownStage(let stage):
                return "the plan has no stage `\(stage)`"
            case let .upstreamNotComputed(stage, upstream):
                return "stage `\(stage)` needs `\(upstream)`, which the store has no result of (did its job fail?)"
            case let .missingOutput(stage, upstream, output):
                return "stage `\(stage)` reads output `\(output)` of `\(upstream)`, which its record lacks"
            }
        }
    }

    public let plan: Plan
    public let store: Store
    private var records: [String: ActionRecord] = [:]

    public init(plan: Plan, store: Store) {
        self.plan = plan
        self.store = store
    }

    /// The job running `stage`: its key and its input digests.
    public mutating func job(for stage: String, threads: Int) throws -> StageJob {
        guard let node = plan[stage] else { throw ResolutionError.unknownStage(stage) }
        let inputs = try inputDigests(of: node)
        let key = StageKey.compute(
            operatorName: node.operatorName, operatorVersion: node.operatorVersion, parameters: node.parameters,
            inputs: inputs)
        return StageJob(node: node, key: key, inputs: Dictionary(uniqueKeysWithValues: inputs), threads: threads, force: false)
    }

    /// The stage's key, if every stage it reads has a record in the store.
    public mutating func key(of stage: String) throws -> Digest {
        try job(for: stage, threads: 1).key
    }

    private mutating func inputDigests(of node: PlanNode) throws -> [(slot: String, digest: Digest)] {
        try node.inputs.map { input in
            let record = try record(of: input.node, neededBy: node.id)
            guard let output = record.output(named: input.output) else {
                throw ResolutionError.missingOutput(stage: node.id, upstream: input.node, output: input.output)
            }
            return (input.slot, output.digest)
        }
    }

    private mutating func record(of stage: String, neededBy consumer: String) throws -> ActionRecord {
        if let known = records[stage] { return known }
        guard let node = plan[stage] else { throw ResolutionError.unknownStage(stage) }
        let key = StageKey.compute(
            operatorName: node.operatorName, operatorVersion: node.operatorVersion, parameters: node.parameters,
            inputs: try inputDigests(of: node))
        guard let record = try store.actionRecord(for: key) else {
            throw ResolutionError.upstreamNotComputed(stage: consumer, upstream: stage)
        }
        records[stage] = record
        return record
    }
}
