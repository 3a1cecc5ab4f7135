import Foundation

/// What a Slurm job runs: one stage job against the shared store, as
///
///     assay run-stage --store STORE --job JOB.json --outcome OUTCOME.json
///
/// `JOB.json` is the engine's `StageJob` (node, key, input digests, threads)
/// written by the coordinator; `OUTCOME.json` is where the job writes its
/// `StageOutcomeReport`. The CLI subcommand builds this from its options and
/// calls `ClusterStageCommand.run`.
public struct ClusterStageInvocation: Equatable, Sendable {
    public static let subcommand = "run-stage"

    public var storePath: String
    public var jobPath: String
    public var outcomePath: String

    public init(storePath: String, jobPath: String, outcomePath: String) {
        self.storePath = storePath
        self.jobPath = jobPath
        self.outcomePath = outcomePath
    }

    /// The words after the `assay` executable.
    public var arguments: [String] {
        [Self.subcommand, "--store", storePath, "--job", jobPath, "--outcome", outcomePath]
    }

    /// Reads `arguments` back (the subcommand name first, then the options in
    /// any order, as `--name value` or `--name=value`); nil when one is
    /// missing, repeated or unknown.
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
            guard ["--store", "--job", "--outcome"].contains(name), options[name] == nil else { return nil }
            options[name] = value
        }
        guard let store = options["--store"], let job = options["--job"], let outcome = options["--outcome"] else { return nil }
        self.init(storePath: store, jobPath: job, outcomePath: outcome)
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
