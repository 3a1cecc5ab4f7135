import ArgumentParser
import AssayCluster
import AssayEngine
import AssayRemote
import AssayStages
import Foundation

/// `assay run-stage --store DIR (--job FILE | --plan FILE --stage ID) --outcome FILE`: what a
/// Slurm job runs — exactly one stage against the shared store, published atomically.
struct RunStageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ClusterStageInvocation.subcommand,
        abstract: "Run one stage of a plan against a store (used by cluster jobs).",
        shouldDisplay: false)

    @Argument(parsing: .allUnrecognized)
    var arguments: [String] = []

    func run() throws {
        guard let invocation = ClusterStageInvocation(arguments: [ClusterStageInvocation.subcommand] + arguments) else {
            Console.error("error: usage: assay run-stage --store DIR (--job FILE | --plan FILE --stage ID) --outcome FILE")
            throw ExitCode(2)
        }
        let store = try Console.failing("cannot open the store at \(invocation.storePath)") { try Store(root: URL(fileURLWithPath: invocation.storePath)) }
        let termination = TerminationRequest()
        var remote: RemoteCacheSession?
        if let given = invocation.remote {
            let url = try Console.failing("--remote") { try RemoteCacheSettings.parseURL(given.url, origin: "--remote") }
            remote = RemoteCacheSettings(url: url, tokenVariable: given.tokenVariable, uploads: given.uploads).session()
        }
        let runner = StageRunner(store: store, operators: OperatorCatalog.standard, remote: remote, environment: { ExecutionEnvironment.current })
        let result = ClusterStageCommand.run(
            invocation, runner: runner, isCancelled: { termination.isRequested },
            remoteNotices: { notice in
                switch notice {
                case .unavailable(let message), .corrupt(let message), .conflict(let message): Console.error("warning: " + message)
                }
            })
        if let message = result.message { Console.error(message) }
        if result.exitStatus != 0 { throw ExitCode(result.exitStatus) }
    }
}
