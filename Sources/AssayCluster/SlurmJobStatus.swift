/// What a coordinator knows about one job after a poll.
public struct SlurmJobStatus: Hashable, Sendable {
    public var state: SlurmJobState
    /// Set once the job has ended and sacct has accounted for it.
    public var exit: SlurmExitStatus?
    /// squeue's reason while Slurm remembers the job (`Dependency`,
    /// `DependencyNeverSatisfied`, `NonZeroExitCode`…).
    public var reason: String?

    public init(state: SlurmJobState, exit: SlurmExitStatus? = nil, reason: String? = nil) {
        self.state = state
        self.exit = exit
        self.reason = reason
    }
}
