import Foundation
import XCTest

/// What an `assay` process loads, from the dynamic loader's own log (LD_DEBUG=libs). Loading was
/// most of the start-up of every command: OpenBLAS (~14,000 relocations), oneDNN (with libstdc++,
/// libgomp, libOpenCL), libcurl behind FoundationNetworking (~30 libraries), and the Swift runtime
/// and Foundation as ~20 shared libraries. The first three are opened when first used, the last
/// are linked into the binary.
final class StartupLibrariesTests: XCTestCase {
    /// Libraries no command may load before it needs them.
    static let lazyLibraries = ["libopenblas", "libdnnl", "libcurl"]
    /// Libraries the binary carries inside.
    static let linkedIn = ["libswiftCore", "libFoundation", "libFoundationEssentials", "libFoundationNetworking", "libdispatch", "lib_FoundationICU"]

    func testVersionLoadsOnlyWhatItNeeds() throws {
        let (status, log) = try run(["--version"], in: FileManager.default.temporaryDirectory)
        XCTAssertEqual(status, 0)
        for library in Self.lazyLibraries + Self.linkedIn {
            XCTAssertFalse(log.contains(library + "."), "assay --version loaded \(library)")
        }
    }

    func testRunLoadsLibcurlOnlyWithARemoteCache() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-startup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let experiment = """
            assay: 1
            name: tiny
            datasets:
              source: { synthetic: { classes: 2, shape: [1, 2, 2], samples: { train: 8, test: 2 } } }
            """
        try experiment.write(to: directory.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)

        let (local, localLog) = try run(["run", "tiny.yaml", "--remote", "off"], in: directory)
        XCTAssertEqual(local, 0, localLog)
        XCTAssertFalse(localLog.contains("libcurl."), "a run without a remote cache loaded libcurl")
        XCTAssertFalse(localLog.contains("libdnnl."), "a run that convolves nothing loaded oneDNN")

        // Nothing listens on port 1: the remote degrades with its warning, after loading libcurl.
        try FileManager.default.removeItem(at: directory.appendingPathComponent(".assay"))
        let (remote, remoteLog) = try run(["run", "tiny.yaml", "--remote", "http://127.0.0.1:1/cache"], in: directory)
        XCTAssertEqual(remote, 0, remoteLog)
        XCTAssertTrue(remoteLog.contains("libcurl."), "a run with a remote cache did not load libcurl")
        XCTAssertTrue(remoteLog.contains("connection refused"), remoteLog)
    }

    /// Runs `assay arguments` in `directory`; its standard error carries the loader's log.
    private func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, log: String) {
        let process = Process()
        process.executableURL = AssayProcess.executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["LD_DEBUG"] = "libs"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try XCTSkipUnless(log.contains("libc.so"), "this loader does not log with LD_DEBUG=libs")
        return (process.terminationStatus, log)
    }
}
