import AssayEngine
import AssayLanguage
import AssaySupport
import Foundation

/// One point of an experiment's sweep, lowered: its label (`seed=1,lr=0.01`, or "" without
/// a sweep), the checked experiment, and the plan the engine runs.
public struct PlannedPoint: Sendable {
    public var label: String
    public var experiment: CheckedExperiment
    public var plan: Plan
}

/// Lowers checked experiments to engine plans.
///
/// Each ``StageInstance`` becomes one ``PlanNode`` with the same id, operator and version.
/// Its parameters are the instance's canonical JSON, extended by a `sources` map from each file
/// the checker declared (``StageInstance/files``: parameter path → absolute location) to the
/// content digest of the file or folder; the locations go to the node's `locals`
/// (`path:<parameter path>`, and `experiment-dir`), which are not hashed. So the key depends on
/// what a stage reads, never on where it lies.
public struct Planner {
    public let registry: OperatorRegistry
    public let sources: SourceDigests

    public init(registry: OperatorRegistry = .standard, sources: SourceDigests) {
        self.registry = registry
        self.sources = sources
    }

    /// Every point of a checked file, labelled by its sweep values.
    public func lower(points experiments: [CheckedExperiment]) throws -> [PlannedPoint] {
        let planned = try experiments.map { e in PlannedPoint(label: Planner.label(of: e.sweepPoint), experiment: e, plan: try lower(e)) }
        sources.save()
        return planned
    }

    public func lower(_ experiment: CheckedExperiment) throws -> Plan {
        let directory = (experiment.file as NSString).deletingLastPathComponent
        // Resolved once per plan, not per stage: it costs a getcwd and a readlink per component.
        let experimentDirectory = absolute(directory.isEmpty ? "." : directory, relativeTo: FileManager.default.currentDirectoryPath)
        let nodes = try experiment.stages.map { try node(for: $0, experimentDirectory: experimentDirectory) }
        do { return try Plan(nodes: nodes) } catch { throw PlannerError.invalidPlan("\(error)") }
    }

    /// `name=value` pairs sorted by name, values in canonical JSON (strings unquoted).
    public static func label(of point: [String: CanonicalValue]) -> String {
        CanonicalValue.sortedKeys(point).map { key in
            let v = point[key]!
            return "\(key)=\(v.stringValue ?? v.canonicalString)"
        }.joined(separator: ",")
    }

    /// - Parameter experimentDirectory: the absolute folder of the experiment file.
    func node(for stage: StageInstance, experimentDirectory: String) throws -> PlanNode {
        var parameters = stage.parameters
        var locals: [String: String] = ["experiment-dir": experimentDirectory]
        // The files the checker declared, hashed by content: the key depends on what a stage reads, not where.
        if !stage.files.isEmpty, case .map(var map) = parameters {
            var digests: [String: CanonicalValue] = [:]
            for (path, location) in stage.files.sorted(by: { $0.key < $1.key }) {
                digests[path] = .string(try sources.digest(of: location).hex)
                locals["path:" + path] = location
            }
            map["sources"] = .map(digests)
            parameters = .map(map)
        }
        let inputs = stage.inputs.map { slot, ref in PlanInput(slot: slot, node: ref.stage, output: ref.output) }
        return PlanNode(
            id: stage.id, operatorName: stage.operatorName, operatorVersion: stage.operatorVersion,
            parameters: parameters.canonicalJSON, inputs: inputs, outputs: stage.outputs.keys.sorted(),
            resources: Planner.resources(stage.resources), locals: locals)
    }

    static func resources(_ r: ResourceSpec) -> [String: String] {
        var out = ["cpus": String(r.cpus), "memory": String(r.memoryBytes), "time": String(r.timeSeconds), "gpus": String(r.gpus)]
        if let p = r.partition { out["partition"] = p }
        return out
    }

    func absolute(_ path: String, relativeTo base: String) -> String {
        ExperimentPath.resolve(path, relativeTo: base)
    }
}
