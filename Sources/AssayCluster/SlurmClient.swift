import Foundation

/// The Slurm commands Assay needs (`sbatch`, `squeue`, `sacct`, `scancel`,
/// `sinfo`), each run as a child process with an argument array.
public struct SlurmClient: Sendable {
    public var runner: any CommandRunning
    public var accounting: SlurmAccountingSource
    /// What `.automatic` found out, shared by copies of this client, so that
    /// a cluster without slurmdbd costs one failed `sacct` and not one a poll.
    private let detectedAccounting = DetectedAccounting()

    public init(runner: any CommandRunning = ProcessCommandRunner(), accounting: SlurmAccountingSource = .automatic) {
        self.runner = runner
        self.accounting = accounting
    }

    /// Submits a batch job and returns its id.
    public func submit(_ request: SlurmJobRequest) throws -> SlurmJobID {
        let arguments = request.sbatchArguments
        let output = try succeeding("sbatch", arguments)
        guard let id = SlurmJobID(parsableSubmission: output) else {
            throw SlurmError.unexpectedOutput(command: ["sbatch"] + arguments, output: output, reason: "expected a job id")
        }
        return id
    }

    /// The queue entries of these jobs, finished ones included while Slurm
    /// still remembers them (`MinJobAge`). A job Slurm has forgotten is absent.
    public func queue(_ ids: [SlurmJobID]) throws -> [SlurmJobID: SlurmQueueEntry] {
        guard !ids.isEmpty else { return [:] }
        let arguments = Self.squeueArguments(ids)
        let result = try runner.run("squeue", arguments: arguments)
        if result.status != 0 {
            // squeue fails outright when *every* id is unknown; that is an
            // empty answer, not an error.
            if result.standardError.contains("Invalid job id") { return [:] }
            throw SlurmError.commandFailed(command: ["squeue"] + arguments, status: result.status, standardError: result.standardError)
        }
        let entries = try SlurmQueueEntry.parse(squeueOutput: result.standardOutput)
        let wanted = Set(ids)
        return Dictionary(entries.filter { wanted.contains($0.id) }.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The final records of these jobs; a job not (yet) accounted for is absent.
    public func finalRecords(_ ids: [SlurmJobID]) throws -> [SlurmJobID: SlurmAccountingRecord] {
        guard !ids.isEmpty else { return [:] }
        let output: String
        switch accounting {
        case .database:
            output = try succeeding("sacct", Self.sacctArguments(ids, source: .database))
        case .jobCompletionFile:
            output = try succeeding("sacct", Self.sacctArguments(ids, source: .jobCompletionFile))
        case .automatic:
            if detectedAccounting.source == .jobCompletionFile {
                output = try succeeding("sacct", Self.sacctArguments(ids, source: .jobCompletionFile))
                break
            }
            do {
                output = try succeeding("sacct", Self.sacctArguments(ids, source: .database))
            } catch let SlurmError.commandFailed(_, _, standardError) where standardError.localizedCaseInsensitiveContains("accounting storage is disabled") {
                detectedAccounting.source = .jobCompletionFile
                output = try succeeding("sacct", Self.sacctArguments(ids, source: .jobCompletionFile))
            }
        }
        let wanted = Set(ids)
        return Dictionary(try SlurmAccountingRecord.parse(sacctOutput: output).filter { wanted.contains($0.id) }.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Cancels these jobs, pending or running (their batch shell and steps).
    /// Cancelling a job that has already ended is not an error.
    public func cancel(_ ids: [SlurmJobID]) throws {
        guard !ids.isEmpty else { return }
        _ = try succeeding("scancel", Self.scancelArguments(ids))
    }

    /// The state of each node, as `sinfo` names it (`idle`, `mix`, `down*`…);
    /// throws when no controller answers.
    public func nodeStates() throws -> [String: String] {
        let output = try succeeding("sinfo", ["--noheader", "--Node", "--format=%N|%t"])
        var states: [String: String] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", maxSplits: 1).map(String.init)
            if fields.count == 2 { states[fields[0]] = fields[1] }
        }
        return states
    }

    static func squeueArguments(_ ids: [SlurmJobID]) -> [String] {
        ["--noheader", "--states=all", "--jobs=" + ids.map(\.rawValue).joined(separator: ","), "--format=" + SlurmQueueEntry.squeueFormat]
    }

    static func sacctArguments(_ ids: [SlurmJobID], source: SlurmAccountingSource) -> [String] {
        var arguments = ["-X", "-n", "-P"]
        if source == .jobCompletionFile { arguments.append("-c") }
        arguments += ["-j", ids.map(\.rawValue).joined(separator: ","), "--format=" + SlurmAccountingRecord.sacctFormat]
        return arguments
    }

    static func scancelArguments(_ ids: [SlurmJobID]) -> [String] {
        ["--full", "--quiet"] + ids.map(\.rawValue)
    }

    /// Runs a command and returns its stdout, or throws with its stderr.
    private func succeeding(_ command: String, _ arguments: [String]) throws -> String {
        let result = try runner.run(command, arguments: arguments)
        guard result.status == 0 else {
            throw SlurmError.commandFailed(command: [command] + arguments, status: result.status, standardError: result.standardError)
        }
        return result.standardOutput
    }
}

/// The accounting source `.automatic` settled on; nil until sacct has said.
private final class DetectedAccounting: @unchecked Sendable {
    private let lock = NSLock()
    private var value: SlurmAccountingSource?

    var source: SlurmAccountingSource? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
