import Foundation

/// One `sbatch` submission: a script file and how to run it.
public struct SlurmJobRequest: Hashable, Sendable {
    /// `--job-name`: what `squeue` shows.
    public var name: String
    /// The batch script to submit; sbatch copies it at submission.
    public var scriptPath: String
    /// `--output`: where the job's stdout and stderr go. Slurm expands `%j`
    /// and friends in it; `literalOutputPath` says whether to stop that.
    public var outputPath: String
    /// When true (the default) a `%` in `outputPath` is kept as it is.
    public var literalOutputPath: Bool
    /// `--chdir`: the job's working directory (Slurm's default is the
    /// submitter's current directory).
    public var workingDirectory: String?
    public var resources: SlurmResources
    /// `--account`: whom the cluster bills.
    public var account: String?
    /// `--dependency=afterok:…`: start only after all of these completed with
    /// status 0.
    public var afterSuccessOf: [SlurmJobID]
    /// `--kill-on-invalid-dep=yes`: if a dependency fails, end this job
    /// instead of leaving it pending forever.
    public var killOnInvalidDependency: Bool

    public init(
        name: String,
        scriptPath: String,
        outputPath: String,
        literalOutputPath: Bool = true,
        workingDirectory: String? = nil,
        resources: SlurmResources = SlurmResources(),
        account: String? = nil,
        afterSuccessOf: [SlurmJobID] = [],
        killOnInvalidDependency: Bool = true
    ) {
        self.name = name
        self.scriptPath = scriptPath
        self.outputPath = outputPath
        self.literalOutputPath = literalOutputPath
        self.workingDirectory = workingDirectory
        self.resources = resources
        self.account = account
        self.afterSuccessOf = afterSuccessOf
        self.killOnInvalidDependency = killOnInvalidDependency
    }

    /// The arguments after `sbatch`, ending with the script path.
    public var sbatchArguments: [String] {
        var arguments = ["--parsable", "--job-name=\(name)", "--output=\(literalOutputPath ? Self.escapingFilenamePattern(outputPath) : outputPath)"]
        if let workingDirectory { arguments.append("--chdir=\(workingDirectory)") }
        arguments += resources.sbatchOptions
        if let account { arguments.append("--account=\(account)") }
        if !afterSuccessOf.isEmpty {
            arguments.append("--dependency=afterok:" + afterSuccessOf.map(\.rawValue).joined(separator: ":"))
        }
        if killOnInvalidDependency { arguments.append("--kill-on-invalid-dep=yes") }
        arguments.append(scriptPath)
        return arguments
    }

    /// sbatch reads `%x` in file names as a pattern and `%%` as a percent sign.
    static func escapingFilenamePattern(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%%")
    }
}
