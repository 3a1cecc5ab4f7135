import Foundation

/// What went wrong talking to Slurm. Each case carries what a user needs to
/// see the cause: the command line and, when the command ran, its stderr.
public enum SlurmError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No executable of that name in the search path (is slurm-client installed?).
    case commandNotFound(command: String, searchPath: [String])
    /// The executable exists but could not be started.
    case launchFailed(command: [String], reason: String)
    /// The command ran and exited with a non-zero status.
    case commandFailed(command: [String], status: Int32, standardError: String)
    /// The command succeeded but printed something this library cannot read.
    case unexpectedOutput(command: [String], output: String, reason: String)

    public var description: String {
        switch self {
        case let .commandNotFound(command, searchPath):
            return "`\(command)` not found in \(searchPath.joined(separator: ":")); install slurm-client or set the executor's Slurm bin directory"
        case let .launchFailed(command, reason):
            return "could not start `\(command.joined(separator: " "))`: \(reason)"
        case let .commandFailed(command, status, standardError):
            let detail = standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            return "`\(command.joined(separator: " "))` exited with status \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case let .unexpectedOutput(command, output, reason):
            return "`\(command.joined(separator: " "))` printed unreadable output (\(reason)): \(output.prefix(200))"
        }
    }
}
