import Foundation

/// A job's exit as `sacct --format=ExitCode` prints it: `"status:signal"`,
/// e.g. `"0:0"` for success, `"1:0"` for `exit 1`, `"0:9"` for a SIGKILL.
public struct SlurmExitStatus: Hashable, Sendable, Codable, CustomStringConvertible {
    public let status: Int32
    public let signal: Int32

    public init(status: Int32, signal: Int32) {
        self.status = status
        self.signal = signal
    }

    /// Nil unless the text is two integers joined by a colon.
    public init?(sacctField: String) {
        let parts = sacctField.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let status = Int32(parts[0]), let signal = Int32(parts[1]) else { return nil }
        self.init(status: status, signal: signal)
    }

    public var description: String {
        signal == 0 ? "exit status \(status)" : "exit status \(status), signal \(signal)"
    }
}
