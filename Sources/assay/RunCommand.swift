import ArgumentParser
import AssayEngine
import AssayStages
import AssaySupport
import Foundation

/// `assay run FILE [-p k=v] [--force STAGE] [--from STAGE] [--only STAGE] [--dry-run] [--verify] [--jobs N]`
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: only stages whose inputs changed execute; the rest come from the store.",
        discussion: "Exits 0 when every stage succeeded, 1 when a stage failed, 130 when interrupted (the next run resumes).")

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: ArgumentHelp("Re-execute this stage even if cached (repeatable).", valueName: "stage"))
    var force: [String] = []

    @Option(help: ArgumentHelp("Re-execute this stage and everything downstream of it (repeatable).", valueName: "stage"))
    var from: [String] = []

    @Option(help: ArgumentHelp("Run only this stage; its inputs must be cached.", valueName: "stage"))
    var only: String?

    @Flag(help: "Show what would run, and why, without running anything.")
    var dryRun = false

    @Flag(help: "Re-hash every cached object a stage uses instead of trusting its size and modification time; a damaged one is removed and rebuilt.")
    var verify = false

    @Option(help: "Stages run at the same time.")
    var jobs: Int = 1

    @Option(help: "Threads per stage (default: the machine's cores divided by --jobs).")
    var threads: Int?

    @Flag(inversion: .prefixedNo, help: "After a failure, keep running the stages that do not depend on it.")
    var keepGoing = true

    @Option(help: ArgumentHelp("Folder receiving the human-facing outputs (pictures, tables) of each stage.", valueName: "dir"))
    var results: String?

    @OptionGroup(title: "Cluster") var cluster: ClusterOptions

    @OptionGroup(title: "Remote cache") var remote: RemoteOptions

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let session = try experiment.load(rehashingSources: verify, reusingPlans: true)
        let remoteSettings = try remote.settings(for: session.store)
        let remoteSession = dryRun ? nil : remoteSettings.session()
        let slurm = try cluster.executor(for: session, remote: remoteSettings, remoteSession: remoteSession)
        let engine = Engine(
            store: session.store, operators: OperatorCatalog.standard, executor: slurm, remote: remoteSession,
            environment: { ExecutionEnvironment.current })
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let options = RunOptions(
            jobs: slurm != nil ? max(jobs, cluster.maxJobs) : jobs, threadsPerStage: threads ?? max(1, cores / jobs), keepGoing: keepGoing, force: Set(force), from: Set(from),
            only: only, dryRun: dryRun, verification: verify ? .full : .stat, description: session.runDescription)
        let progress = RunProgress(showPoints: session.points.count > 1)
        let live = dryRun ? nil : LiveProgressFile(store: session.store)
        defer { live?.close() }
        let interrupt = InterruptHandler(onInterrupt: { engine.cancel() }, onSecondInterrupt: { try? slurm?.cancelAll() })
        let result = try Console.failing("cannot run \(experiment.file)") {
            try engine.run(points: session.enginePoints, options: options) { event in
                progress.handle(event)
                live?.handle(event)
            }
        }
        withExtendedLifetime(interrupt) {}

        if dryRun {
            print(PlanText.render(result: result, engine: engine, session: session))
            return
        }
        let folder = results.map { URL(fileURLWithPath: $0) } ?? ResultsFolder.defaultFolder(for: session)
        let written = ResultsFolder.materialize(result, store: session.store, into: folder)
        print(RunSummaryText.render(result, session: session, resultsFolder: written > 0 ? folder.path : nil))
        switch result.status {
        case .succeeded, .planned: return
        case .cancelled: throw ExitCode(130)
        default: throw ExitCode(1)
        }
    }
}
