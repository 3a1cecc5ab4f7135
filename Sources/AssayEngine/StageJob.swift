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

/// How one stage execution ended.
public enum StageOutcome: Sendable, Equatable {
    /// The operator ran and its outputs were published under this record.
    case executed(ActionRecord)
    /// Another run computed the key while this one waited for its lock.
    case foundCached(ActionRecord)
    case failed(String)
    case cancelled
    /// An input object was missing or did not hash to its digest (it was removed).
    case corruptInput(slot: String, digest: Digest)
}
