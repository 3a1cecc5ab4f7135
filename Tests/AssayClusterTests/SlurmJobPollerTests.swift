import XCTest
@testable import AssayCluster

final class SlurmJobPollerTests: XCTestCase {
    func testQueuedJobsNeedNoSacct() throws {
        let runner = ScriptedCommandRunner()
        runner.answer("squeue", with: CommandResult(status: 0, standardOutput: "1|RUNNING|None\n2|PENDING|Dependency\n"))
        let statuses = try SlurmJobPoller(client: SlurmClient(runner: runner)).poll([SlurmJobID("1"), SlurmJobID("2")])
        XCTAssertEqual(statuses[SlurmJobID("1")], SlurmJobStatus(state: .running, reason: "None"))
        XCTAssertEqual(statuses[SlurmJobID("2")], SlurmJobStatus(state: .pending, reason: "Dependency"))
        XCTAssertEqual(runner.commands.map(\.first), ["squeue"])
    }

    func testEndedAndForgottenJobsAreAskedOfSacctKeepingTheQueueReason() throws {
        let runner = ScriptedCommandRunner()
        runner.answer("squeue", with: CommandResult(status: 0, standardOutput: "1|RUNNING|None\n2|CANCELLED|DependencyNeverSatisfied\n"))
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: "2|CANCELLED|0:0\n3|FAILED|1:0\n"))
        let poller = SlurmJobPoller(client: SlurmClient(runner: runner, accounting: .jobCompletionFile))
        let statuses = try poller.poll([SlurmJobID("1"), SlurmJobID("2"), SlurmJobID("3"), SlurmJobID("4")])
        XCTAssertEqual(runner.commands.last, ["sacct", "-X", "-n", "-P", "-c", "-j", "2,3,4", "--format=JobID,State,ExitCode"])
        XCTAssertEqual(statuses[SlurmJobID("2")], SlurmJobStatus(state: .cancelled, exit: SlurmExitStatus(status: 0, signal: 0), reason: "DependencyNeverSatisfied"))
        XCTAssertEqual(statuses[SlurmJobID("3")], SlurmJobStatus(state: .failed, exit: SlurmExitStatus(status: 1, signal: 0)))
        // Neither queued nor accounted for yet: no status, ask again later.
        XCTAssertNil(statuses[SlurmJobID("4")])
    }
}
