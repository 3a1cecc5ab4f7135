/// One input of a plan node: the artifact named `output` of stage `node`, bound to `slot`.
public struct PlanInput: Hashable, Codable, Sendable {
    public var slot: String
    public var node: String
    public var output: String

    public init(slot: String, node: String, output: String) {
        self.slot = slot
        self.node = node
        self.output = output
    }
}

/// One stage of a plan: an opaque operator applied to parameters and the outputs of other stages.
///
/// The engine never interprets `parameters`: they are the canonical JSON bytes the planner
/// produced (keys sorted, defaults filled, numbers normalised), hashed as they are into the key.
public struct PlanNode: Hashable, Codable, Sendable {
    /// The stage name, unique within a plan.
    public var id: String
    public var operatorName: String
    /// Bumped by the operator's author when its code changes what it computes.
    public var operatorVersion: Int
    /// Canonical JSON bytes.
    public var parameters: [UInt8]
    /// Ordered by slot, so equal nodes hash equally however they were written.
    public private(set) var inputs: [PlanInput]
    /// The names of the files the operator writes.
    public var outputs: [String]
    /// Executor hints (cpus, memory, time, partition…); not part of the key.
    public var resources: [String: String]

    public init(
        id: String, operatorName: String, operatorVersion: Int, parameters: [UInt8],
        inputs: [PlanInput] = [], outputs: [String], resources: [String: String] = [:]
    ) {
        self.id = id
        self.operatorName = operatorName
        self.operatorVersion = operatorVersion
        self.parameters = parameters
        self.inputs = inputs.sorted { $0.slot < $1.slot }
        self.outputs = outputs
        self.resources = resources
    }

    /// Convenience for parameters given as a JSON string (already canonical).
    public init(
        id: String, operatorName: String, operatorVersion: Int = 1, parametersJSON: String,
        inputs: [PlanInput] = [], outputs: [String], resources: [String: String] = [:]
    ) {
        self.init(
            id: id, operatorName: operatorName, operatorVersion: operatorVersion,
            parameters: Array(parametersJSON.utf8), inputs: inputs, outputs: outputs, resources: resources)
    }

    public var parametersJSON: String { String(decoding: parameters, as: UTF8.self) }
}
