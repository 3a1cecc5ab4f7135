import Foundation
@testable import AssayCluster

/// A CommandRunning that records every command line and answers from a script
/// of canned results, so command construction and parsing are tested without
/// a cluster.
final class ScriptedCommandRunner: CommandRunning, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String: [CommandResult]] = [:]
    private var log: [[String]] = []

    /// Queues `result` as the answer to the next run of `command`.
    func answer(_ command: String, with result: CommandResult) {
        lock.withLock { answers[command, default: []].append(result) }
    }

    /// Every command line run so far, command name first.
    var commands: [[String]] { lock.withLock { log } }

    func run(_ command: String, arguments: [String]) throws -> CommandResult {
        try lock.withLock {
            log.append([command] + arguments)
            guard var queued = answers[command], !queued.isEmpty else {
                throw SlurmError.commandNotFound(command: command, searchPath: ["scripted"])
            }
            let result = queued.removeFirst()
            answers[command] = queued
            return result
        }
    }
}
