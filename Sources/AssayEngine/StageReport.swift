import AssaySupport

/// How one stage of one point fared.
public enum StageStatus: Sendable, Equatable {
    /// Found in the action cache (or computed by another point of the same sweep).
    case hit
    case executed
    case failed(String)
    /// Not run because `stage` (upstream) failed.
    case skipped(because: String)
    case cancelled
    /// Dry run: would execute.
    case wouldRun
    /// Left out by `only`.
    case notSelected

    /// The word stored in the history.
    public var word: String {
        switch self {
        case .hit: return "hit"
        case .executed: return "executed"
        case .failed: return "failed"
        case .skipped: return "skipped"
        case .cancelled: return "cancelled"
        case .wouldRun: return "pending"
        case .notSelected: return "not-selected"
        }
    }

    /// What the history stores beside the word: a failure's message, or the stage a skip waited on.
    public var message: String? {
        switch self {
        case .failed(let message): return message
        case .skipped(let cause): return cause
        default: return nil
        }
    }
}

public struct StageReport: Sendable, Equatable {
    public var point: String
    public var stage: String
    public var operatorName: String
    /// Nil when the key could not be computed (an input is not available yet).
    public var key: Digest?
    public var status: StageStatus
    /// Seconds the operator ran (0 for hits).
    public var duration: Double
    public var outputs: [String: Digest]
    public var metrics: [String: Double]
    public var tables: [String: [UInt8]]
    /// The executor's name for the job that ran this stage (e.g. a Slurm job id), if it gave one.
    public var executorJobID: String? = nil
    /// For an executed stage with an earlier record: whether it wrote the same bytes as last
    /// time (then its dependents were cut off: Shake's "recomputed, same"). Nil otherwise.
    public var sameOutputsAsLastRun: Bool? = nil
    /// A hit that came from the remote cache (downloaded in this run) rather than the local store.
    public var fromRemote: Bool = false
}
