import AssaySupport

/// One stage execution, as handed to an executor: everything needed to run it against the
/// store, in this process or — encoded as JSON — in another one on another machine.
public struct StageJob: Codable, Sendable, Equatable {
    public var node: PlanNode
    public var key: Digest
    /// Input artifacts by slot.
    public var inputs: [String: Digest]
    public var threads: Int
    /// Execute even if the action cache already has `key` (forced stages).
    public var force: Bool

    public init(node: PlanNode, key: Digest, inputs: [String: Digest], threads: Int, force: Bool) {
        self.node = node
        self.key = key
        self.inputs = inputs
        self.threads = threads
        self.force = force
    }
}
