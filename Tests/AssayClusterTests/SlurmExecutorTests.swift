import AssayEngine
import AssaySupport
import Foundation
import XCTest
@testable import AssayCluster

/// The executor against scripted Slurm commands: what it submits, how it
/// reads the queue, and what it reports, without a cluster.
final class SlurmExecutorTests: XCTestCase {
    private var root: URL!
    private var runner: ScriptedCommandRunner!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-executor-\(UUID().uuidString)")
        runner = ScriptedCommandRunner()
        addTeardownBlock { [root] in try? FileManager.default.removeItem(at: root!) }
    }

    private func makeExecutor(forgottenJobTimeout: Double = 120, unreachableTimeout: Double = 300, outcomeGrace: Double = 0) throws -> SlurmExecutor {
        let configuration = SlurmExecutorConfiguration(
            assayExecutable: "/opt/assay/bin/assay", defaults: SlurmResources(cpus: 2, memoryMegabytes: 1024, partition: "debug"),
            account: "lab", forgottenJobTimeout: forgottenJobTimeout, outcomeVisibilityGrace: outcomeGrace, unreachableTimeout: unreachableTimeout,
            jobDirectory: root.appendingPathComponent("jobs"))
        return try SlurmExecutor(store: Store(root: root.appendingPathComponent("store")), configuration: configuration,
                                 client: SlurmClient(runner: runner, accounting: .jobCompletionFile))
    }

    private func job(_ node: PlanNode, threads: Int = 1) -> StageJob {
        StageJob(node: node, key: Digest.of(node.id), inputs: ["in0": Digest.of("input")], threads: threads, force: false)
    }

    private func submit(_ executor: SlurmExecutor, _ job: StageJob, as slurmID: String) throws -> JobID {
        runner.answer("sbatch", with: CommandResult(status: 0, standardOutput: slurmID + "\n"))
        return try executor.submit(job) { _ in }
    }

    func testSubmissionWritesTheJobAndScriptAndAsksForTheStageResources() throws {
        let executor = try makeExecutor()
        let node = TestOperators.node("train model", "emit", "{}", resources: ["memory": "4GiB", "time": "2h"])
        runner.answer("sbatch", with: CommandResult(status: 0, standardOutput: "41\n"))
        let events = EventLog()
        let id = try executor.submit(job(node, threads: 3)) { events.append($0) }

        XCTAssertEqual(events.all, [.submitted(externalID: "41")])
        XCTAssertEqual(executor.poll(id), .queued)
        let jobs = root.appendingPathComponent("jobs").path
        let base = jobs + "/1-train_model"
        XCTAssertEqual(runner.commands, [[
            "sbatch", "--parsable", "--job-name=assay-train_model", "--output=\(base).out", "--chdir=\(jobs)",
            "--cpus-per-task=2", "--mem=4096M", "--time=0-02:00:00", "--partition=debug", "--account=lab", "--kill-on-invalid-dep=yes", base + ".sh",
        ]])
        let written = try JSONDecoder().decode(StageJob.self, from: Data(contentsOf: URL(fileURLWithPath: base + ".job.json")))
        XCTAssertEqual(written, job(node, threads: 3))
        let script = try String(contentsOfFile: base + ".sh", encoding: .utf8)
        XCTAssertTrue(script.contains("exec /opt/assay/bin/assay run-stage --store \(root.appendingPathComponent("store").path) --job \(base).job.json --outcome \(base).outcome.json"), script)
        XCTAssertEqual(executor.submissions.map(\.jobID), [SlurmJobID("41")])
    }

    func testStageWithoutCpuHintsOrDefaultsGetsOneCpuPerThread() throws {
        let configuration = SlurmExecutorConfiguration(assayExecutable: "assay", jobDirectory: root.appendingPathComponent("jobs"))
        let executor = try SlurmExecutor(store: Store(root: root.appendingPathComponent("store")), configuration: configuration, client: SlurmClient(runner: runner))
        _ = try submit(executor, job(TestOperators.node("a", "emit", "{}"), threads: 4), as: "7")
        XCTAssertTrue(runner.commands[0].contains("--cpus-per-task=4"), "\(runner.commands[0])")
    }

    func testRejectedSubmissionThrowsSbatchStderr() throws {
        let executor = try makeExecutor()
        runner.answer("sbatch", with: CommandResult(status: 1, standardOutput: "", standardError: "sbatch: error: Invalid account or account/partition combination specified"))
        XCTAssertThrowsError(try executor.submit(job(TestOperators.node("a", "emit", "{}"))) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("Invalid account"), "\(error)")
        }
    }

    func testQueueStatesBecomeJobStatusesAndAFailureQuotesTheOutput() throws {
        let executor = try makeExecutor()
        let id = try submit(executor, job(TestOperators.node("a", "emit", "{}")), as: "41")
        runner.answer("squeue", with: CommandResult(status: 0, standardOutput: "41|RUNNING|None\n"))
        executor.refresh()
        XCTAssertEqual(executor.poll(id), .running)

        let output = try XCTUnwrap(executor.submissions.first?.outputPath)
        try "line 1\nTraceback: disk full\n".write(toFile: output, atomically: true, encoding: .utf8)
        runner.answer("squeue", with: CommandResult(status: 0, standardOutput: "41|FAILED|NonZeroExitCode\n"))
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: "41|FAILED|1:0\n"))
        executor.refresh()
        guard case .finished(.failed(let message)) = executor.poll(id) else { return XCTFail("\(executor.poll(id))") }
        XCTAssertEqual(message, "Slurm job 41 failed (exit status 1)\n--- last lines of \(output) ---\nline 1\nTraceback: disk full")
        // A finished job is not asked about again.
        executor.refresh()
        XCTAssertEqual(runner.commands.filter { $0[0] == "squeue" }.count, 2)
    }

    func testTimeLimitAndMemoryFailuresSayWhatToRaise() throws {
        let executor = try makeExecutor()
        let slow = try submit(executor, job(TestOperators.node("slow", "emit", "{}", resources: ["time": "60"])), as: "5")
        let big = try submit(executor, job(TestOperators.node("big", "emit", "{}")), as: "6")
        runner.answer("squeue", with: CommandResult(status: 1, standardOutput: "", standardError: "slurm_load_jobs error: Invalid job id specified"))
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: "5|TIMEOUT|0:0\n6|OUT_OF_MEMORY|0:125\n"))
        executor.refresh()
        guard case .finished(.failed(let timeout)) = executor.poll(slow), case .finished(.failed(let memory)) = executor.poll(big) else {
            return XCTFail("\(executor.poll(slow)) \(executor.poll(big))")
        }
        XCTAssertTrue(timeout.hasPrefix("Slurm job 5 reached its time limit of 0-00:01:00; to fix, raise the stage's `time`"), timeout)
        XCTAssertTrue(memory.hasPrefix("Slurm job 6 ran out of memory of 1024 MiB; to fix, raise the stage's `memory`"), memory)
    }

    func testCancelSendsScancelAndTheCancelledJobEndsCancelled() throws {
        let executor = try makeExecutor()
        let id = try submit(executor, job(TestOperators.node("a", "emit", "{}")), as: "41")
        runner.answer("scancel", with: CommandResult(status: 0, standardOutput: ""))
        executor.cancel(id)
        XCTAssertEqual(runner.commands.last, ["scancel", "--full", "--quiet", "41"])
        runner.answer("squeue", with: CommandResult(status: 0, standardOutput: "41|CANCELLED|None\n"))
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: "41|CANCELLED by 0|0:15\n"))
        executor.refresh()
        XCTAssertEqual(executor.poll(id), .finished(.cancelled))
    }

    func testJobCancelledByOthersIsAFailureNotACancellation() throws {
        let executor = try makeExecutor()
        let id = try submit(executor, job(TestOperators.node("a", "emit", "{}")), as: "41")
        runner.answer("squeue", with: CommandResult(status: 0, standardOutput: "41|CANCELLED|None\n"))
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: "41|CANCELLED by 1000|0:15\n"))
        executor.refresh()
        guard case .finished(.failed(let message)) = executor.poll(id) else { return XCTFail("\(executor.poll(id))") }
        XCTAssertTrue(message.hasPrefix("Slurm job 41 was cancelled outside Assay"), message)
    }

    func testCancelAllCancelsEveryUnfinishedJobAndRefusesNewOnes() throws {
        let executor = try makeExecutor()
        _ = try submit(executor, job(TestOperators.node("a", "emit", "{}")), as: "41")
        _ = try submit(executor, job(TestOperators.node("b", "emit", "{}")), as: "42")
        runner.answer("scancel", with: CommandResult(status: 0, standardOutput: ""))
        try executor.cancelAll()
        XCTAssertEqual(runner.commands.last, ["scancel", "--full", "--quiet", "41", "42"])
        XCTAssertThrowsError(try executor.submit(job(TestOperators.node("c", "emit", "{}"))) { _ in })
    }

    func testCompletedJobWithoutOutcomeOrRecordIsAFailure() throws {
        let executor = try makeExecutor()
        let id = try submit(executor, job(TestOperators.node("a", "emit", "{}")), as: "41")
        runner.answer("squeue", with: CommandResult(status: 0, standardOutput: "41|COMPLETED|None\n"))
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: "41|COMPLETED|0:0\n"))
        executor.refresh()
        guard case .finished(.failed(let message)) = executor.poll(id) else { return XCTFail("\(executor.poll(id))") }
        XCTAssertTrue(message.contains("wrote no outcome file and the store has no action record"), message)
    }

    func testOutcomeFileShowingUpLateOnASharedFilesystemIsStillRead() throws {
        let executor = try makeExecutor(outcomeGrace: 5)
        let node = TestOperators.node("a", "emit", "{}")
        let id = try submit(executor, job(node), as: "41")
        let outcomePath = root.appendingPathComponent("jobs/1-a.outcome.json").path
        let late = StageOutcomeReport(kind: .failed, key: job(node).key, message: "written late")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { try? late.write(to: outcomePath) }
        runner.answer("squeue", with: CommandResult(status: 0, standardOutput: "41|COMPLETED|None\n"))
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: "41|COMPLETED|0:0\n"))
        executor.refresh()
        XCTAssertEqual(executor.poll(id), .finished(.failed("written late")))
    }

    func testJobSlurmForgotIsReportedAfterTheTimeout() throws {
        let executor = try makeExecutor(forgottenJobTimeout: 0)
        let id = try submit(executor, job(TestOperators.node("a", "emit", "{}")), as: "41")
        runner.answer("squeue", with: CommandResult(status: 1, standardOutput: "", standardError: "slurm_load_jobs error: Invalid job id specified"))
        runner.answer("sacct", with: CommandResult(status: 0, standardOutput: ""))
        executor.refresh()
        guard case .finished(.failed(let message)) = executor.poll(id) else { return XCTFail("\(executor.poll(id))") }
        XCTAssertTrue(message.hasPrefix("Slurm no longer knows job 41"), message)
    }

    func testUnreachableControllerFailsTheJobsOnlyAfterTheTimeout() throws {
        let patient = try makeExecutor(unreachableTimeout: 300)
        let waiting = try submit(patient, job(TestOperators.node("a", "emit", "{}")), as: "41")
        runner.answer("squeue", with: CommandResult(status: 1, standardOutput: "", standardError: "Unable to contact slurm controller"))
        patient.refresh()
        XCTAssertEqual(patient.poll(waiting), .queued)

        let impatient = try makeExecutor(unreachableTimeout: 0)
        let failing = try submit(impatient, job(TestOperators.node("b", "emit", "{}")), as: "42")
        runner.answer("squeue", with: CommandResult(status: 1, standardOutput: "", standardError: "Unable to contact slurm controller"))
        impatient.refresh()
        guard case .finished(.failed(let message)) = impatient.poll(failing) else { return XCTFail("\(impatient.poll(failing))") }
        XCTAssertTrue(message.contains("Unable to contact slurm controller"), message)
    }
}

private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ExecutorEvent] = []
    func append(_ event: ExecutorEvent) { lock.withLock { events.append(event) } }
    var all: [ExecutorEvent] { lock.withLock { events } }
}
