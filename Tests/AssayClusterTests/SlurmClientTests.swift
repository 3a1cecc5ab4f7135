import XCTest
@testable import AssayCluster

final class SlurmClientTests: XCTestCase {
    func testSubmitRunsSbatchWithTheRequestAndReturnsTheId() throws {
        let runner = ScriptedCommandRunner()
        runner.answer("sbatch", with: CommandResult(status: 0, standardOutput: "57\n"))
        let request = SlurmJobRequest(name: "n", scriptPath: "/s.sh", outputPath: "/o", afterSuccessOf: [SlurmJobID("56")])
        let id = try SlurmClient(runner: runner).submit(request)
        XCTAssertEqual(id, SlurmJobID("57"))
        XCTAssertEqual(runner.commands, [["sbatch"] + request.sbatchArguments])
    }

    func testRejectedSubmissionCarriesSbatchStderr() {
        let runner = ScriptedCommandRunner()
        runner.answer("sbatch", with: CommandResult(status: 1, standardOutput: "", standardError: "sbatch: error: invalid partition specified: nope\n"))
        let request = SlurmJobRequest(name: "n", scriptPath: "/s.sh", outputPath: "/o")
        XCTAssertThrowsError(try SlurmClient(runner: runner).submit(request)) { error in
            guard case let SlurmError.commandFailed(command, status, standardError) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(command.first, "sbatch")
            XCTAssertEqual(status, 1)
            XCTAssertTrue(standardError.contains("invalid partition"))
            XCTAssertTrue("\(error)".contains("invalid partition"))
        }
    }

    func testQueueAsksForAllStatesOfTheGivenJobs() throws {
        let runner = ScriptedCommandRunner()
        runner.answer("squeue", with: CommandResult(status: 0, standardOutput: "3|PENDING|Dependency\n4|RUNNING|None\n"))
        let entries = try SlurmClient(runner: runner).queue([SlurmJobID("3"), SlurmJobID("4"), SlurmJobID("5")])
        XCTAssertEqual(runner.commands, [["squeue", "--noheader", "--states=all", "--jobs=3,4,5", "--format=%i|%T|%r"]])
        XCTAssertEqual(entries[SlurmJobID("3")]?.state, .pending)
        XCTAssertEqual(entries[SlurmJobID("4")]?.state, .running)
        XCTAssertNil(entries[SlurmJobID("5")])
    }

    func testQueueOfOnlyForgottenJobsIsEmptyNotAnError() throws {
        let runner = ScriptedCommandRunner()
        runner.answer("squeue", with: CommandResult(status: 1, standardOutput: "", standardError: "slurm_load_jobs error: Invalid job id specified\n"))
        XCTAssertEqual(try SlurmClient(runner: runner).queue([SlurmJobID("999")]), [:])
    }

    func testQueueFailureOtherThanUnknownIdsIsAnError() {
        let runner = ScriptedCommandRunner()
        runner.answer("squeue", with: CommandResult(status: 1, standardOutput: "", standardError: "slurm_load_jobs error: Unable to contact slurm controller\n"))
        XCTAssertThrowsError(try SlurmClient(runner: runner).queue([SlurmJobID("1")]))
    }

    func testAutomaticAccountingFallsBackToTheJobCompletionFile() throws {
        let runner = ScriptedCommandRunner()
        runner.answer("sacct", with: CommandResult(status: 1, standardOutput: "", standardError: "Slurm accounting storage is disabled\n"))
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: "8|COMPLETED|0:0\n"))
        let client = SlurmClient(runner: runner, accounting: .automatic)
        let records = try client.finalRecords([SlurmJobID("8")])
        XCTAssertEqual(runner.commands, [
            ["sacct", "-X", "-n", "-P", "-j", "8", "--format=JobID,State,ExitCode"],
            ["sacct", "-X", "-n", "-P", "-c", "-j", "8", "--format=JobID,State,ExitCode"],
        ])
        XCTAssertEqual(records[SlurmJobID("8")]?.state, .completed)

        // Once found out, the database is not asked again.
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: "9|FAILED|2:0\n"))
        XCTAssertEqual(try client.finalRecords([SlurmJobID("9")])[SlurmJobID("9")]?.exit.status, 2)
        XCTAssertEqual(runner.commands.last, ["sacct", "-X", "-n", "-P", "-c", "-j", "9", "--format=JobID,State,ExitCode"])
        XCTAssertEqual(runner.commands.count, 3)
    }

    func testDatabaseAccountingDoesNotFallBack() {
        let runner = ScriptedCommandRunner()
        runner.answer("sacct", with: CommandResult(status: 1, standardOutput: "", standardError: "Slurm accounting storage is disabled\n"))
        XCTAssertThrowsError(try SlurmClient(runner: runner, accounting: .database).finalRecords([SlurmJobID("8")]))
        XCTAssertEqual(runner.commands.count, 1)
    }

    func testCancelSignalsTheWholeJobOfEveryId() throws {
        let runner = ScriptedCommandRunner()
        runner.answer("scancel", with: CommandResult(status: 0, standardOutput: ""))
        try SlurmClient(runner: runner).cancel([SlurmJobID("3"), SlurmJobID("4")])
        XCTAssertEqual(runner.commands, [["scancel", "--full", "--quiet", "3", "4"]])
    }

    func testNothingToAskRunsNoCommand() throws {
        let runner = ScriptedCommandRunner()
        let client = SlurmClient(runner: runner)
        try client.cancel([])
        XCTAssertEqual(try client.queue([]), [:])
        XCTAssertEqual(try client.finalRecords([]), [:])
        XCTAssertEqual(runner.commands, [])
    }

    func testProcessRunnerPassesArgumentsWithoutAShell() throws {
        let result = try ProcessCommandRunner().run("printf", arguments: ["%s|", "a b", "$(echo no)", "'q'"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.standardOutput, "a b|$(echo no)|'q'|")
    }

    func testProcessRunnerReturnsStatusAndStderr() throws {
        let result = try ProcessCommandRunner().run("sh", arguments: ["-c", "echo oops >&2; exit 4"])
        XCTAssertEqual(result.status, 4)
        XCTAssertEqual(result.standardError, "oops\n")
    }

    func testProcessRunnerReportsAMissingCommand() {
        XCTAssertThrowsError(try ProcessCommandRunner(directory: "/nonexistent").run("no-such-slurm-command", arguments: [])) { error in
            guard case SlurmError.commandNotFound = error else { return XCTFail("\(error)") }
        }
    }
}
