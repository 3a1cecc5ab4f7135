import ArgumentParser
import AssaySupport
import Foundation

/// Where the CLI writes: results to standard output, diagnostics and progress to standard error.
enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func progress(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Whether standard error is a terminal (live progress) or a log (plain lines).
    static var isTerminal: Bool { isatty(2) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb" }

    static var width: Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 100
    }

    /// Runs `body`; an error becomes one clear line on standard error and exit code 1, never a trace.
    static func failing<T>(_ context: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let exit as ExitCode { throw exit } catch {
            Console.error("error: \(context): \(SystemErrorText.message(for: error, after: context))")
            throw ExitCode(1)
        }
    }
}
