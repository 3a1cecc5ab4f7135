/// Where a Slurm job stands, reduced to what a coordinator acts on.
///
/// Slurm has more state names than these; each maps onto the one a
/// coordinator would treat alike (`COMPLETING` is still running, `DEADLINE`
/// is a time limit, `BOOT_FAIL` a node failure, `PREEMPTED` an ending nobody
/// here asked for, so a cancellation).
public enum SlurmJobState: String, Hashable, Sendable, Codable, CaseIterable {
    case pending
    case running
    case completed
    case failed
    case cancelled
    case timeout
    case nodeFail
    case outOfMemory

    /// Reads a state as `squeue %T` or `sacct --format=State` prints it:
    /// `RUNNING`, `CANCELLED by 0`, `OUT_OF_MEMORY`, `CANCELLED+`; nil for a
    /// name Slurm does not use.
    public init?(slurmName: String) {
        // sacct appends " by UID" to cancellations and truncates with "+".
        let word = slurmName.split(separator: " ").first.map(String.init) ?? ""
        let name = word.hasSuffix("+") ? String(word.dropLast()) : word
        switch name.uppercased() {
        case "PENDING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "SUSPENDED", "STOPPED", "RESIZING":
            self = .pending
        case "RUNNING", "CONFIGURING", "COMPLETING", "SIGNALING", "STAGE_OUT", "SPECIAL_EXIT", "UPDATE_DB", "POWER_UP_NODE":
            self = .running
        case "COMPLETED":
            self = .completed
        case "FAILED":
            self = .failed
        case "CANCELLED", "PREEMPTED", "REVOKED":
            self = .cancelled
        case "TIMEOUT", "DEADLINE":
            self = .timeout
        case "NODE_FAIL", "BOOT_FAIL":
            self = .nodeFail
        case "OUT_OF_MEMORY":
            self = .outOfMemory
        default:
            return nil
        }
    }

    /// True once the job has ended and will not run again.
    public var isFinished: Bool {
        switch self {
        case .pending, .running: return false
        case .completed, .failed, .cancelled, .timeout, .nodeFail, .outOfMemory: return true
        }
    }

    /// True only for a job that ran to the end and exited with status 0.
    public var isSuccess: Bool { self == .completed }
}
