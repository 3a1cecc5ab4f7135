import Foundation
import XCTest
@testable import AssayCluster

/// Access to the cluster started by scripts/slurm/start-local-cluster.sh, for
/// integration tests. They run only when `ASSAY_SLURM_TESTS=1` (CI sets it
/// after starting the cluster); then a cluster that does not answer fails
/// the test instead of skipping it.
enum LocalCluster {
    static func requireCluster() throws -> SlurmClient {
        guard ProcessInfo.processInfo.environment["ASSAY_SLURM_TESTS"] == "1" else {
            throw XCTSkip("Slurm integration test: start scripts/slurm/start-local-cluster.sh and set ASSAY_SLURM_TESTS=1")
        }
        let client = SlurmClient()
        let nodes = try client.nodeStates()
        XCTAssertFalse(nodes.isEmpty, "sinfo lists no node")
        return client
    }

    /// A fresh directory for job scripts, outputs and stores, removed after
    /// the test unless `ASSAY_KEEP_SLURM_SCRATCH=1` (to read the job files).
    static func scratchDirectory(for testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("assay-slurm-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["ASSAY_KEEP_SLURM_SCRATCH"] != "1" {
            testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        }
        return url
    }

    /// Writes a `/bin/sh` script and returns a request for it.
    static func job(_ name: String, in directory: URL, body: String, after: [SlurmJobID] = []) throws -> SlurmJobRequest {
        let script = directory.appendingPathComponent("\(name).sh")
        try ("#!/bin/sh\n" + body + "\n").write(to: script, atomically: true, encoding: .utf8)
        return SlurmJobRequest(
            name: "assay-test-\(name)", scriptPath: script.path, outputPath: directory.appendingPathComponent("\(name).out").path,
            workingDirectory: directory.path, resources: SlurmResources(cpus: 1, memoryMegabytes: 100, timeLimitSeconds: 120),
            afterSuccessOf: after)
    }

    /// Polls until every job has a final status, or fails after `timeout`.
    static func waitUntilFinished(_ ids: [SlurmJobID], client: SlurmClient, timeout: TimeInterval = 60) throws -> [SlurmJobID: SlurmJobStatus] {
        let poller = SlurmJobPoller(client: client)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let statuses = try poller.poll(ids)
            if ids.allSatisfy({ statuses[$0]?.exit != nil }) { return statuses }
            if Date() > deadline {
                XCTFail("jobs \(ids) not finished after \(timeout) s: \(statuses)")
                return statuses
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}
