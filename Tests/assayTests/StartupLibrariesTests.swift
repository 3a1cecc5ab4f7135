import Foundation
import XCTest

/// A command that multiplies no matrix does not load OpenBLAS (its ~14,000 relocations were
/// 20% of `assay --version`): the dynamic loader's own log says which libraries a process opened.
final class StartupLibrariesTests: XCTestCase {
    func testVersionDoesNotLoadOpenBLAS() throws {
        let process = Process()
        process.executableURL = AssayProcess.executable
        process.arguments = ["--version"]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_DEBUG"] = "libs"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        try XCTSkipUnless(log.contains("libc.so"), "this loader does not log with LD_DEBUG=libs")
        XCTAssertFalse(log.contains("libopenblas"), "assay --version loaded OpenBLAS")
    }
}
