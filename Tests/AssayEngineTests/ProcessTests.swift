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
            if hang && node.id == "b" { sleep(60) }
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
