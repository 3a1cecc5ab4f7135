import ArgumentParser
import AssayCluster
import AssayEngine
import AssayRemote
import Foundation

/// `--executor slurm` and its defaults. The experiment's `executor: { kind: slurm }` selects
/// Slurm too; per-stage `resources:` override these defaults.
struct ClusterOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable { case local, slurm }

    @Option(help: "Where stages run: local (default) or slurm (each uncached stage an sbatch job on a shared store).")
    var executor: Kind?

    @Option(help: ArgumentHelp("Slurm partition for stages that name none.", valueName: "name"))
    var partition: String?

    @Option(help: ArgumentHelp("Slurm account.", valueName: "name"))
    var account: String?

    @Option(help: ArgumentHelp("CPUs per stage job when a stage names none.", valueName: "n"))
    var cpus: Int?

    @Option(help: ArgumentHelp("Memory per stage job in MiB when a stage names none.", valueName: "MiB"))
    var memory: Int?

    @Option(help: ArgumentHelp("Time limit per stage job in minutes when a stage names none.", valueName: "min"))
    var timeLimit: Int?

    @Option(help: "Most Slurm jobs in flight at once.")
    var maxJobs: Int = 100

    @Option(help: ArgumentHelp(
        "The store each Slurm job opens when the nodes do not share this one (a node-local path); needs --remote, through which results travel.",
        valueName: "dir"))
    var nodeStore: String?

    /// A Slurm executor when asked for (flag, or the experiment's `executor.kind`), else nil.
    func executor(
        for session: ExperimentSession, remote: RemoteCacheSettings = RemoteCacheSettings(), remoteSession: RemoteCacheSession? = nil
    ) throws -> SlurmExecutor? {
        let declared = session.executor["kind"]?.stringValue
        guard (executor ?? Kind(rawValue: declared ?? "local")) == .slurm else { return nil }
        guard let executable = SlurmExecutorConfiguration.runningExecutablePath() else {
            Console.error("error: cannot find the path of this `assay` executable, which Slurm jobs must run")
            throw ExitCode(1)
        }
        let configuration = SlurmExecutorConfiguration(
            assayExecutable: executable,
            defaults: SlurmResources(cpus: cpus, memoryMegabytes: memory, timeLimitSeconds: timeLimit.map { $0 * 60 }, partition: partition),
            account: account ?? session.executor["account"]?.stringValue,
            capacity: maxJobs,
            remote: remote.url.map { ClusterStageInvocation.Remote(url: $0.absoluteString, uploads: remote.uploads, tokenVariable: remote.tokenVariable) },
            nodeStorePath: nodeStore)
        if nodeStore != nil && remote.url == nil {
            Console.error("error: --node-store needs a remote cache (--remote URL or `remote:` in a config file): results travel through it")
            throw ExitCode(1)
        }
        return try Console.failing("cannot start the Slurm executor (is `sbatch` on the PATH?)") {
            try SlurmExecutor(store: session.store, configuration: configuration, remote: remoteSession)
        }
    }
}
