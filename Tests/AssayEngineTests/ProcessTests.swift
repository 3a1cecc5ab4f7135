import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

/// Runs the engine in real child processes: the test binary re-executes itself on
/// `ChildProcessEntry/testRunAsChild` with the store and role in its environment.
final class ProcessTests: XCTestCase {
    private func spawnChild(store: URL, log: URL, role: String) throws -> Process {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["AssayEngineTests.ChildProcessEntry/testRunAsChild"]
        var environment = ProcessInfo.processInfo.environment
        environment["ASSAY_ENGINE_CHILD_STORE"] = store.path
        environment["ASSAY_ENGINE_CHILD_LOG"] = log.path
        environment["ASSAY_ENGINE_CHILD_ROLE"] = role
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        return child
    }

    private func executions(in log: URL) -> [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).sorted()
    }

    func testTwoProcessesOnOneStoreExecuteEachStageOnce() throws {
        let fixture = try EngineFixture()
        let log = fixture.directory.appendingPathComponent("executions.log")
        let children = try (0..<2).map { _ in try spawnChild(store: fixture.store.root, log: log, role: "run") }
        for child in children {
            child.waitUntilExit()
            XCTAssertEqual(child.terminationStatus, 0)
        }
        XCTAssertEqual(executions(in: log), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(try fixture.store.openHistory().recentRuns().map(\.status), ["succeeded", "succeeded"])
    }

    func testAnEngineProcessKilledMidStageLeavesAStoreTheNextRunCompletes() throws {
        let fixture = try EngineFixture()
        let log = fixture.directory.appendingPathComponent("executions.log")
        let child = try spawnChild(store: fixture.store.root, log: log, role: "hang")
        let deadline = Date().addingTimeInterval(20)
        while !executions(in: log).contains("b") && Date() < deadline { usleep(10_000) }
        XCTAssertTrue(executions(in: log).contains("b"), "the child reached stage b")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()

        let result = try Engine(store: try Store(root: fixture.store.root), operators: ChildProcessEntry.operators(log: log, hang: false))
            .run(try EngineFixture.diamond(), options: RunOptions(jobs: 2))
        XCTAssertEqual(result.status, .succeeded)
        XCTAssertEqual(result.report(stage: "a")?.status, .hit, "a finished before the kill")
        XCTAssertEqual(result.report(stage: "b")?.status, .executed)
        XCTAssertEqual(FileSystem.contents(of: fixture.store.temporaryPath), [], "nothing the dead process wrote is left")
        let runs = try fixture.store.openHistory().recentRuns()
        XCTAssertEqual(runs.map(\.status), ["succeeded", "interrupted"])
    }

    func testLeftoversOfAKilledRunAreCleanedByTheNextRunAndItsRecordSaysWhatItFinished() throws {
        let fixture = try EngineFixture()
        let log = fixture.directory.appendingPathComponent("executions.log")
        let child = try spawnChild(store: fixture.store.root, log: log, role: "hang")
        let tmp = fixture.store.temporaryPath
        let deadline = Date().addingTimeInterval(20)
        // b hangs after leaving a half-written temporary file (other `write.*` files come and go).
        while !(executions(in: log).contains("b") && FileSystem.contents(of: tmp).contains(where: { $0.hasPrefix("write.") })) && Date() < deadline {
            usleep(10_000)
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let finished = executions(in: log).filter { $0 != "b" }
        XCTAssertFalse(finished.isEmpty, "the child finished stages before b")
        let left = FileSystem.contents(of: tmp)
        XCTAssertTrue(left.contains { $0.hasPrefix("write.") }, "a half-written temporary file: \(left)")
        XCTAssertEqual(left.count, 2, "and b's work directory: \(left)")
        let runLocks = { FileSystem.contents(of: fixture.store.locksPath).filter { $0.hasPrefix("run-") } }
        XCTAssertEqual(runLocks().count, 1)

        // Files the next run must keep: this live process's, and another machine's.
        let live = FileSystem.uniqueName(prefix: "write")
        let foreignHost = ProcessOwner.hostTag == "0000000f" ? "0000000e" : "0000000f"
        let foreign = "write.\(child.processIdentifier)@1@\(foreignHost).1.1"
        // A reused pid: this process's pid with another start time is a dead owner.
        let reused = "write.\(getpid())@1@\(ProcessOwner.hostTag).1.1"
        for name in [live, foreign, reused] { XCTAssertTrue(FileManager.default.createFile(atPath: tmp + "/" + name, contents: Data())) }

        // The next run touches neither b's key nor anything the dead process held.
        let store = try Store(root: fixture.store.root)
        let next = try Engine(store: store, operators: ChildProcessEntry.operators(log: log, hang: false)).run(try EngineFixture.chain(1))
        XCTAssertEqual(next.status, .succeeded)
        XCTAssertEqual(Set(FileSystem.contents(of: tmp)), [live, foreign])
        XCTAssertEqual(runLocks(), [], "the dead run's lock file is gone")

        let killed = try XCTUnwrap(try store.openHistory().recentRuns().last)
        XCTAssertEqual(killed.status, "interrupted")
        XCTAssertEqual(killed.executed, finished.count, "the record shows what the killed run finished: \(finished)")
        XCTAssertNil(killed.finished, "when it died is not known")
    }
}

/// The child side of ``ProcessTests``; skipped unless started by it.
final class ChildProcessEntry: XCTestCase {
    static func operators(log: URL, hang: Bool) -> [String: any StageOperator] {
        let op = ClosureOperator { node, inputs, context in
            // O_APPEND writes of one short line are atomic across processes.
            let fd = open(log.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            _ = (node.id + "\n").withCString { write(fd, $0, strlen($0)) }
            close(fd)
            var bytes = node.parameters
            for slot in inputs.keys.sorted() { bytes += [UInt8](try inputs[slot]!.read()) }
            try Data(bytes.prefix(3)).write(to: context.output(named: "out"))
            if hang && node.id == "b" {
                // As if killed while writing a file: a temporary that never got renamed.
                let partial = context.temporaryDirectory + "/" + FileSystem.uniqueName(prefix: "write")
                close(open(partial, O_WRONLY | O_CREAT | O_EXCL, 0o644))
                sleep(60)
            }
            Thread.sleep(forTimeInterval: 0.05)
            try Data(bytes).write(to: context.output(named: "out"))
            return StageResult()
        }
        return ["concat": op]
    }

    func testRunAsChild() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let store = environment["ASSAY_ENGINE_CHILD_STORE"], let log = environment["ASSAY_ENGINE_CHILD_LOG"] else {
            throw XCTSkip("only runs as the child process of ProcessTests")
        }
        let hang = environment["ASSAY_ENGINE_CHILD_ROLE"] == "hang"
        let engine = Engine(store: try Store(root: URL(fileURLWithPath: store)), operators: Self.operators(log: URL(fileURLWithPath: log), hang: hang))
        let result = try engine.run(try EngineFixture.diamond(), options: RunOptions(jobs: hang ? 1 : 2))
        XCTAssertEqual(result.status, .succeeded)
    }
}
