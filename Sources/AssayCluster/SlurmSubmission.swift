import AssaySupport

/// One stage job submitted to Slurm, for the run history and for users
/// looking at the queue or the job files.
public struct SlurmSubmission: Hashable, Sendable {
    public var stage: String
    public var key: Digest
    public var jobID: SlurmJobID
    public var scriptPath: String
    /// The job's stdout and stderr.
    public var outputPath: String
    public var resources: SlurmResources
}
