import Foundation

/// One job as `squeue` shows it.
public struct SlurmQueueEntry: Hashable, Sendable {
    public var id: SlurmJobID
    public var state: SlurmJobState
    /// Why it is pending or how it ended, e.g. `Dependency`,
    /// `DependencyNeverSatisfied`, `NonZeroExitCode`; `None` when running.
    public var reason: String

    public init(id: SlurmJobID, state: SlurmJobState, reason: String) {
        self.id = id
        self.state = state
        self.reason = reason
    }

    /// The `--format` string the parser reads: id, state, reason, separated
    /// by `|` (neither an id nor a state name contains one; the reason comes
    /// last and may).
    public static let squeueFormat = "%i|%T|%r"

    /// Reads `squeue --noheader --format=squeueFormat` output, one job a line.
    public static func parse(squeueOutput: String) throws -> [SlurmQueueEntry] {
        try squeueOutput.split(whereSeparator: \.isNewline).compactMap { line in
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            let fields = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else {
                throw SlurmError.unexpectedOutput(command: ["squeue"], output: String(line), reason: "expected id|state|reason")
            }
            guard let state = SlurmJobState(slurmName: fields[1]) else {
                throw SlurmError.unexpectedOutput(command: ["squeue"], output: String(line), reason: "unknown job state \(fields[1])")
            }
            return SlurmQueueEntry(id: SlurmJobID(fields[0].trimmingCharacters(in: .whitespaces)), state: state, reason: fields[2])
        }
    }
}
