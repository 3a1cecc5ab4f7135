import Foundation

/// How the Slurm executor submits and follows jobs.
public struct SlurmExecutorConfiguration: Sendable {
    /// The `assay` executable as the compute nodes see it (an absolute path
    /// on the shared filesystem, or a name on the nodes' PATH).
    public var assayExecutable: String
    /// Filled into every stage's resources where the plan node says nothing.
    public var defaults: SlurmResources
    /// `--account` for every job.
    public var account: String?
    /// How many jobs may be queued or running at once (the engine also caps
    /// this at its `jobs` option).
    public var capacity: Int
    /// Seconds between two looks at the queue.
    public var pollInterval: Double
    /// Prefix of every job name, so `squeue` shows which jobs are Assay's.
    public var jobNamePrefix: String
    /// Lines of a failed job's output quoted in its failure.
    public var outputTailLines: Int
    /// A job that is neither in the queue nor accounted for this long after
    /// it was last seen (or submitted) is reported failed.
    public var forgottenJobTimeout: Double
    /// How long to wait for the outcome file of a job Slurm says completed
    /// before reporting it missing (shared filesystems show other nodes'
    /// writes with a delay).
    public var outcomeVisibilityGrace: Double
    /// When Slurm's commands keep failing this long, every job is reported
    /// failed with the last error.
    public var unreachableTimeout: Double
    /// Where job scripts, stage jobs, outputs and outcomes go; it must be on
    /// the filesystem the nodes share. Nil: `<store>/cluster/<run token>/`.
    public var jobDirectory: URL?
    /// The remote cache every job uses (nil: none).
    public var remote: ClusterStageInvocation.Remote?
    /// The store the jobs open, when the nodes do not share the coordinator's: a node-local
    /// path; results then travel through `remote`. Nil: the coordinator's store.
    public var nodeStorePath: String?

    /// The absolute path of the running executable (`/proc/self/exe`), for
    /// `assayExecutable` when the coordinator's own `assay` is on the shared
    /// filesystem; nil where the system does not say.
    public static func runningExecutablePath() -> String? {
        let link = "/proc/self/exe"
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: link) { return path }
        return Bundle.main.executablePath
    }

    public init(
        assayExecutable: String,
        defaults: SlurmResources = SlurmResources(),
        account: String? = nil,
        capacity: Int = 1_000,
        pollInterval: Double = 0.5,
        jobNamePrefix: String = "assay",
        outputTailLines: Int = 20,
        forgottenJobTimeout: Double = 120,
        outcomeVisibilityGrace: Double = 10,
        unreachableTimeout: Double = 300,
        jobDirectory: URL? = nil,
        remote: ClusterStageInvocation.Remote? = nil,
        nodeStorePath: String? = nil
    ) {
        self.assayExecutable = assayExecutable
        self.defaults = defaults
        self.account = account
        self.capacity = capacity
        self.pollInterval = pollInterval
        self.jobNamePrefix = jobNamePrefix
        self.outputTailLines = outputTailLines
        self.forgottenJobTimeout = forgottenJobTimeout
        self.outcomeVisibilityGrace = outcomeVisibilityGrace
        self.unreachableTimeout = unreachableTimeout
        self.jobDirectory = jobDirectory
        self.remote = remote
        self.nodeStorePath = nodeStorePath
    }
}
