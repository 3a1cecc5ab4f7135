import Foundation

/// What one finished command left behind.
public struct CommandResult: Equatable, Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String

    public init(status: Int32, standardOutput: String, standardError: String = "") {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Runs one command to completion. The seam lets tests check Slurm command
/// lines and feed canned output without a cluster.
public protocol CommandRunning: Sendable {
    /// Runs `command` (a bare name, looked up in a search path) with
    /// `arguments` passed as they are (no shell), with no standard input.
    func run(_ command: String, arguments: [String]) throws -> CommandResult
}
