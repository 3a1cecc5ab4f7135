import Foundation

/// Runs commands as child processes through `Process`: arguments go to the
/// program as an array, so no job name or path is ever parsed by a shell.
public struct ProcessCommandRunner: CommandRunning {
    /// Directories searched for the command, in order.
    public var searchPath: [String]

    /// Searches `directory` first when given, then `PATH`, then the usual
    /// system directories (a daemon's PATH can be bare).
    public init(directory: String? = nil) {
        let path = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map(String.init) ?? []
        searchPath = (directory.map { [$0] } ?? []) + path + ["/usr/local/bin", "/usr/bin", "/bin"]
    }

    public func executableURL(for command: String) throws -> URL {
        if command.contains("/") { return URL(fileURLWithPath: command) }
        for directory in searchPath where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(command)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw SlurmError.commandNotFound(command: command, searchPath: searchPath)
    }

    public func run(_ command: String, arguments: [String]) throws -> CommandResult {
        let process = Process()
        process.executableURL = try executableURL(for: command)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw SlurmError.launchFailed(command: [command] + arguments, reason: "\(error)")
        }
        // Drain stderr on another thread while stdout is read here, so that a
        // child filling one pipe never blocks waiting for us to read the other.
        let errorData = PipeDrain(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to its end on a background thread.
private final class PipeDrain: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    /// The whole content, once the writer has closed the pipe.
    func wait() -> Data {
        done.wait()
        return data
    }
}
