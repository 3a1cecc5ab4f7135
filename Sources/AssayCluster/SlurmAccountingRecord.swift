import Foundation

/// A job's final record from `sacct`: its state and exit.
public struct SlurmAccountingRecord: Hashable, Sendable {
    public var id: SlurmJobID
    public var state: SlurmJobState
    public var exit: SlurmExitStatus

    public init(id: SlurmJobID, state: SlurmJobState, exit: SlurmExitStatus) {
        self.id = id
        self.state = state
        self.exit = exit
    }

    /// The fields asked of `sacct --format`, in the order the parser reads.
    public static let sacctFormat = "JobID,State,ExitCode"

    /// Reads `sacct -X -n -P --format=sacctFormat` output. Lines of job steps
    /// (`4242.batch`) are skipped should `-X` be ignored; when a job appears
    /// more than once (a requeue), the last line wins.
    public static func parse(sacctOutput: String) throws -> [SlurmAccountingRecord] {
        var records: [SlurmJobID: SlurmAccountingRecord] = [:]
        for line in sacctOutput.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard fields.count >= 3 else {
                throw SlurmError.unexpectedOutput(command: ["sacct"], output: String(line), reason: "expected JobID|State|ExitCode")
            }
            let id = fields[0].trimmingCharacters(in: .whitespaces)
            if id.contains(".") { continue }
            guard let state = SlurmJobState(slurmName: fields[1]) else {
                throw SlurmError.unexpectedOutput(command: ["sacct"], output: String(line), reason: "unknown job state \(fields[1])")
            }
            guard let exit = SlurmExitStatus(sacctField: fields[2]) else {
                throw SlurmError.unexpectedOutput(command: ["sacct"], output: String(line), reason: "unreadable exit code \(fields[2])")
            }
            records[SlurmJobID(id)] = SlurmAccountingRecord(id: SlurmJobID(id), state: state, exit: exit)
        }
        return records.values.sorted { $0.id < $1.id }
    }
}
