import Foundation
import XCTest
@testable import AssayCluster

/// Runs against a real Slurm cluster (see LocalCluster).
final class SlurmClusterIntegrationTests: XCTestCase {
    func testAfterOkChainRunsInOrderAndCompletes() throws {
        let client = try LocalCluster.requireCluster()
        let directory = try LocalCluster.scratchDirectory(for: self)
        // `first` sleeps so that a dependent started too early would read nothing.
        let first = try client.submit(LocalCluster.job("first", in: directory, body: "sleep 1; echo one > chain.txt"))
        let second = try client.submit(LocalCluster.job("second", in: directory, body: "cat chain.txt > second.txt && echo two >> second.txt", after: [first]))
        let third = try client.submit(LocalCluster.job("third", in: directory, body: "cat second.txt > third.txt && echo three >> third.txt", after: [first, second]))

        let statuses = try LocalCluster.waitUntilFinished([first, second, third], client: client)
        XCTAssertEqual(statuses[first]?.state, .completed)
        XCTAssertEqual(statuses[second]?.state, .completed)
        XCTAssertEqual(statuses[third]?.state, .completed)
        XCTAssertEqual(statuses[third]?.exit, SlurmExitStatus(status: 0, signal: 0))
        XCTAssertEqual(try String(contentsOf: directory.appendingPathComponent("third.txt"), encoding: .utf8), "one\ntwo\nthree\n")
    }

    func testFailedJobEndsItsDependentsInsteadOfLeavingThemPending() throws {
        let client = try LocalCluster.requireCluster()
        let directory = try LocalCluster.scratchDirectory(for: self)
        let failing = try client.submit(LocalCluster.job("failing", in: directory, body: "echo about to fail; echo bad input >&2; exit 3"))
        let dependent = try client.submit(LocalCluster.job("dependent", in: directory, body: "touch ran", after: [failing]))
        let grandchild = try client.submit(LocalCluster.job("grandchild", in: directory, body: "touch ran", after: [dependent]))

        let statuses = try LocalCluster.waitUntilFinished([failing, dependent, grandchild], client: client)
        XCTAssertEqual(statuses[failing]?.state, .failed)
        XCTAssertEqual(statuses[failing]?.exit?.status, 3)
        XCTAssertEqual(statuses[dependent]?.state, .cancelled)
        XCTAssertEqual(statuses[grandchild]?.state, .cancelled)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("ran").path))
        // The failure's output (stdout and stderr) is there to report.
        let tail = OutputTail.read(path: directory.appendingPathComponent("failing.out").path)
        XCTAssertEqual(tail, "about to fail\nbad input")
    }

    func testCancelLeavesNoJobBehind() throws {
        let client = try LocalCluster.requireCluster()
        let directory = try LocalCluster.scratchDirectory(for: self)
        let running = try client.submit(LocalCluster.job("long", in: directory, body: "sleep 300"))
        let pending = try client.submit(LocalCluster.job("waiting", in: directory, body: "sleep 300", after: [running]))
        try waitUntil(running, is: .running, client: client)

        try client.cancel([running, pending])
        let statuses = try LocalCluster.waitUntilFinished([running, pending], client: client)
        XCTAssertEqual(statuses[running]?.state, .cancelled)
        XCTAssertEqual(statuses[pending]?.state, .cancelled)
        let active = try client.queue([running, pending]).values.filter { !$0.state.isFinished }
        XCTAssertEqual(active, [])
    }

    func testOutOfRangeRequestIsRejectedWithSbatchStderr() throws {
        let client = try LocalCluster.requireCluster()
        let directory = try LocalCluster.scratchDirectory(for: self)
        var request = try LocalCluster.job("impossible", in: directory, body: "true")
        request.resources.partition = "no-such-partition"
        XCTAssertThrowsError(try client.submit(request)) { error in
            guard case let SlurmError.commandFailed(_, _, standardError) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(standardError.contains("partition"), standardError)
        }
    }

    private func waitUntil(_ id: SlurmJobID, is state: SlurmJobState, client: SlurmClient) throws {
        let deadline = Date().addingTimeInterval(30)
        while try client.queue([id])[id]?.state != state {
            guard Date() < deadline else { return XCTFail("job \(id) never reached \(state)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
