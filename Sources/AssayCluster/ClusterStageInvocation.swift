import Foundation

/// What a Slurm job runs: one stage against the shared store, in one of two
/// forms:
///
///     assay run-stage --store STORE --job JOB.json --outcome OUTCOME.json
///     assay run-stage --store STORE --plan PLAN.json --stage ID --outcome OUTCOME.json
///
/// The first runs an engine `StageJob` (node, key, input digests, threads)
/// written by `SlurmExecutor`. The second runs stage `ID` of a plan written
/// by `PlanFile` (for `SlurmPlanRun`, which submits the whole plan up front),
/// finding its inputs in the store. Both write a `StageOutcomeReport` to
/// `OUTCOME.json`. The CLI subcommand builds this from its options and calls
/// `ClusterStageCommand.run`.
public struct ClusterStageInvocation: Equatable, Sendable {
    public static let subcommand = "run-stage"

    public enum Source: Equatable, Sendable {
        case job(path: String)
        case planStage(planPath: String, stage: String)
    }

    /// The remote cache a job uses: looked up before the stage runs, inputs the job's store
    /// lacks are fetched from it, results are uploaded — so a node needs no shared store.
    public struct Remote: Equatable, Sendable {
        public var url: String
        public var uploads: Bool
        /// The environment variable holding the bearer token (Slurm passes the environment on).
        public var tokenVariable: String

        public init(url: String, uploads: Bool = true, tokenVariable: String) {
            self.url = url
            self.uploads = uploads
            self.tokenVariable = tokenVariable
        }
    }

    public var storePath: String
    public var source: Source
    public var outcomePath: String
    public var remote: Remote?

    public init(storePath: String, source: Source, outcomePath: String, remote: Remote? = nil) {
        self.storePath = storePath
        self.source = source
        self.outcomePath = outcomePath
        self.remote = remote
    }

    public init(storePath: String, jobPath: String, outcomePath: String, remote: Remote? = nil) {
        self.init(storePath: storePath, source: .job(path: jobPath), outcomePath: outcomePath, remote: remote)
    }

    /// The words after the `assay` executable.
    public var arguments: [String] {
        var words = [Self.subcommand, "--store", storePath]
        switch source {
        case .job(let path): words += ["--job", path]
        case let .planStage(planPath, stage): words += ["--plan", planPath, "--stage", stage]
        }
        words += ["--outcome", outcomePath]
        if let remote {
            words += ["--remote", remote.url, "--remote-upload", remote.uploads ? "on" : "off", "--remote-token-env", remote.tokenVariable]
        }
        return words
    }

    /// Reads `arguments` back (the subcommand name first, then the options in
    /// any order, as `--name value` or `--name=value`); nil when one is
    /// missing, repeated, unknown, or both forms are mixed.
    public init?(arguments: [String]) {
        guard arguments.first == Self.subcommand else { return nil }
        var options: [String: String] = [:]
        var rest = arguments.dropFirst()[...]
        while let word = rest.popFirst() {
            let name: String
            let value: String
            if let equals = word.firstIndex(of: "="), word.hasPrefix("--") {
                name = String(word[..<equals])
                value = String(word[word.index(after: equals)...])
            } else {
                guard let next = rest.popFirst() else { return nil }
                name = word
                value = next
            }
            guard ["--store", "--job", "--plan", "--stage", "--outcome", "--remote", "--remote-upload", "--remote-token-env"].contains(name),
                options[name] == nil
            else { return nil }
            options[name] = value
        }
        guard let store = options["--store"], let outcome = options["--outcome"] else { return nil }
        var remote: Remote?
        switch (options["--remote"], options["--remote-upload"], options["--remote-token-env"]) {
        case (nil, nil, nil): remote = nil
        case let (url?, upload, token?) where upload == nil || upload == "on" || upload == "off":
            remote = Remote(url: url, uploads: upload != "off", tokenVariable: token)
        default: return nil
        }
        switch (options["--job"], options["--plan"], options["--stage"]) {
        case let (job?, nil, nil):
            self.init(storePath: store, source: .job(path: job), outcomePath: outcome, remote: remote)
        case let (nil, plan?, stage?):
            self.init(storePath: store, source: .planStage(planPath: plan, stage: stage), outcomePath: outcome, remote: remote)
        default:
            return nil
        }
    }

    /// The batch script: `/bin/sh` replacing itself with `assay`, every word quoted.
    public func script(assayExecutable: String, stage: String) -> String {
        """
        #!/bin/sh
        # Assay stage \(stage.replacingOccurrences(of: "\n", with: " ")), submitted by the Slurm executor.
        exec \(ShellQuoting.commandLine([assayExecutable] + arguments))

        """
    }
}
