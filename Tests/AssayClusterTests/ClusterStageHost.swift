import AssayEngine
import Foundation
import XCTest
@testable import AssayCluster

/// Stands in for `assay run-stage` inside Slurm jobs started by the executor
/// tests: the job script runs this test binary on this one test, with the
/// run-stage arguments in `ASSAY_TEST_STAGE_ARGUMENTS` (one per line). The
/// process then exits with the stage's exit status, as the CLI would.
final class ClusterStageHost: XCTestCase {
    static let argumentsVariable = "ASSAY_TEST_STAGE_ARGUMENTS"

    func testRunStageInsideASlurmJob() throws {
        guard let text = ProcessInfo.processInfo.environment[Self.argumentsVariable] else {
            throw XCTSkip("runs only inside a Slurm job started by the executor tests")
        }
        let arguments = text.split(separator: "\n").map(String.init)
        guard let invocation = ClusterStageInvocation(arguments: arguments) else {
            FileHandle.standardError.write(Data("unreadable run-stage arguments: \(arguments)\n".utf8))
            exit(64)
        }
        let store = try Store(root: URL(fileURLWithPath: invocation.storePath))
        let termination = TerminationRequest()
        let result = ClusterStageCommand.run(
            invocation, runner: StageRunner(store: store, operators: TestOperators.all), isCancelled: { termination.isRequested })
        if let message = result.message { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        exit(result.exitStatus)
    }

    /// A stand-in `assay` executable: a script that runs this test binary on
    /// `testRunStageInsideASlurmJob` with its arguments.
    static func makeStandInExecutable(in directory: URL) throws -> String {
        let testBinary = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).standardizedFileURL.path
        let script = """
            #!/bin/sh
            \(argumentsVariable)="$(printf '%s\\n' "$@")"
            export \(argumentsVariable)
            exec \(ShellQuoting.quote(testBinary)) AssayClusterTests.ClusterStageHost/testRunStageInsideASlurmJob

            """
        let url = directory.appendingPathComponent("assay-stand-in")
        try script.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }
}
