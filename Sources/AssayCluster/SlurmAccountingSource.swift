/// Where `sacct` reads finished jobs from.
public enum SlurmAccountingSource: String, Hashable, Sendable, Codable {
    /// slurmdbd, the usual source on a real cluster (plain `sacct`).
    case database
    /// The job completion file of `JobCompType=jobcomp/filetxt` (`sacct -c`),
    /// for clusters without slurmdbd such as the local test cluster.
    case jobCompletionFile
    /// The database, falling back to the completion file when sacct says
    /// accounting storage is disabled.
    case automatic
}
