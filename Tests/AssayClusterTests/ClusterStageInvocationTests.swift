import AssayEngine
import AssaySupport
import Foundation
import XCTest
@testable import AssayCluster

final class ClusterStageInvocationTests: XCTestCase {
    func testArgumentsReadBackInAnyOrderAndForm() {
        let invocation = ClusterStageInvocation(storePath: "/s t/ore", jobPath: "/j.json", outcomePath: "/o.json")
        XCTAssertEqual(invocation.arguments, ["run-stage", "--store", "/s t/ore", "--job", "/j.json", "--outcome", "/o.json"])
        XCTAssertEqual(ClusterStageInvocation(arguments: invocation.arguments), invocation)
        XCTAssertEqual(ClusterStageInvocation(arguments: ["run-stage", "--outcome=/o.json", "--job", "/j.json", "--store=/s t/ore"]), invocation)
    }

    func testRemoteCacheSettingsTravelToTheJob() {
        let remote = ClusterStageInvocation.Remote(url: "http://cache:8080/a", uploads: false, tokenVariable: "LAB_TOKEN")
        let invocation = ClusterStageInvocation(storePath: "/node/store", jobPath: "/j.json", outcomePath: "/o.json", remote: remote)
        XCTAssertEqual(Array(invocation.arguments.suffix(6)), ["--remote", "http://cache:8080/a", "--remote-upload", "off", "--remote-token-env", "LAB_TOKEN"])
        XCTAssertEqual(ClusterStageInvocation(arguments: invocation.arguments), invocation)
        // A URL without the token variable's name, or a bad upload switch, is not a job's invocation.
        XCTAssertNil(ClusterStageInvocation(arguments: ["run-stage", "--store", "/s", "--job", "/j", "--outcome", "/o", "--remote", "http://c"]))
        XCTAssertNil(ClusterStageInvocation(arguments: [
            "run-stage", "--store", "/s", "--job", "/j", "--outcome", "/o", "--remote", "http://c", "--remote-token-env", "T", "--remote-upload", "maybe",
        ]))
    }

    func testIncompleteRepeatedOrUnknownOptionsAreRejected() {
        XCTAssertNil(ClusterStageInvocation(arguments: ["run-stage", "--store", "/s", "--job", "/j"]))
        XCTAssertNil(ClusterStageInvocation(arguments: ["run-stage", "--store", "/s", "--store", "/t", "--job", "/j", "--outcome", "/o"]))
        XCTAssertNil(ClusterStageInvocation(arguments: ["run-stage", "--store", "/s", "--job", "/j", "--outcome", "/o", "--force", "yes"]))
        XCTAssertNil(ClusterStageInvocation(arguments: ["run", "--store", "/s", "--job", "/j", "--outcome", "/o"]))
        XCTAssertNil(ClusterStageInvocation(arguments: ["run-stage", "--store"]))
    }

    func testScriptHandsAwkwardPathsToAssayUnchanged() throws {
        let invocation = ClusterStageInvocation(storePath: "/tmp/it's a store", jobPath: "/tmp/$job.json", outcomePath: "/tmp/`o`.json")
        let script = invocation.script(assayExecutable: "printf", stage: "erm\nseed")
        XCTAssertTrue(script.hasPrefix("#!/bin/sh\n# Assay stage erm seed,"))
        // With printf as `assay`, the script prints the words it passes.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("script-\(UUID().uuidString).sh")
        try script.replacingOccurrences(of: "exec printf ", with: "exec printf '%s|' ").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try ProcessCommandRunner().run("sh", arguments: [url.path])
        XCTAssertEqual(result.standardOutput, invocation.arguments.map { $0 + "|" }.joined())
    }

    func testRunWritesTheOutcomeAndExitsByIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("run-stage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try Store(root: root)
        let runner = StageRunner(store: store, operators: TestOperators.all)
        func run(_ node: PlanNode) throws -> (ClusterStageCommand.Result, StageOutcomeReport?) {
            let key = StageKey.compute(operatorName: node.operatorName, operatorVersion: node.operatorVersion, parameters: node.parameters, inputs: [])
            let job = StageJob(node: node, key: key, inputs: [:], threads: 1, force: false)
            let jobPath = root.appendingPathComponent("\(node.id).job.json").path
            try JSONEncoder().encode(job).write(to: URL(fileURLWithPath: jobPath))
            let invocation = ClusterStageInvocation(storePath: root.path, jobPath: jobPath, outcomePath: root.appendingPathComponent("\(node.id).outcome.json").path)
            return (ClusterStageCommand.run(invocation, runner: runner), try StageOutcomeReport.read(from: invocation.outcomePath))
        }

        let (ok, okReport) = try run(TestOperators.node("hello", "emit", #"{"x":1}"#))
        XCTAssertEqual(ok, ClusterStageCommand.Result(exitStatus: 0, message: nil))
        XCTAssertEqual(okReport?.kind, .executed)
        guard case .executed(let record)? = okReport?.outcome(in: store) else { return XCTFail("\(String(describing: okReport))") }
        XCTAssertEqual(try store.readObject(record.outputs[0].digest), Array(#"{"x":1}"#.utf8))

        let (again, againReport) = try run(TestOperators.node("hello", "emit", #"{"x":1}"#))
        XCTAssertEqual(again.exitStatus, 0)
        XCTAssertEqual(againReport?.kind, .foundCached)

        let (bad, badReport) = try run(TestOperators.node("oops", "fail", "{}"))
        XCTAssertEqual(bad.exitStatus, 1)
        XCTAssertEqual(bad.message, "stage `oops` failed: deliberate failure of oops")
        XCTAssertEqual(badReport?.outcome(in: store), .failed("deliberate failure of oops"))
    }

    func testUnreadableJobFileFailsWithoutAnOutcome() {
        let invocation = ClusterStageInvocation(storePath: "/tmp", jobPath: "/nonexistent/job.json", outcomePath: "/nonexistent/outcome.json")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("unused-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let runner = StageRunner(store: try! Store(root: root), operators: [:])
        let result = ClusterStageCommand.run(invocation, runner: runner)
        XCTAssertEqual(result.exitStatus, 1)
        XCTAssertTrue(result.message?.contains("cannot read the stage job /nonexistent/job.json") == true)
    }
}
