import AssayEngine
import Foundation
import XCTest
@testable import AssayCluster

/// What Slurm adds per stage: a chain of trivial stages, run through the
/// engine's executor seam and as a plan submitted up front. Prints the
/// numbers; fails only if a stage costs more than 10 s, which means
/// something is wrong with the cluster's configuration (for example
/// `batch_sched_delay` not 0).
final class SlurmOverheadTests: XCTestCase {
    private let length = 8

    private func chain() throws -> Plan {
        try Plan(nodes: (0..<length).map { i in
            TestOperators.node("s\(i)", i == 0 ? "emit" : "join", #"{"i":\#(i)}"#, inputs: i == 0 ? [] : ["s\(i - 1)"])
        })
    }

    func testChainThroughTheExecutorSeam() throws {
        let client = try LocalCluster.requireCluster()
        let directory = try LocalCluster.scratchDirectory(for: self)
        let store = try Store(root: directory.appendingPathComponent("store"))
        let configuration = SlurmExecutorConfiguration(
            assayExecutable: try ClusterStageHost.makeStandInExecutable(in: directory),
            defaults: SlurmResources(cpus: 1, memoryMegabytes: 200, timeLimitSeconds: 300), pollInterval: 0.1)
        let executor = try SlurmExecutor(store: store, configuration: configuration, client: client)
        let started = Date()
        let result = try Engine(store: store, operators: TestOperators.all, executor: executor)
            .run(chain(), options: RunOptions(jobs: 4, recordHistory: false))
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, .succeeded)
        report("executor seam", elapsed)
    }

    func testChainSubmittedUpFrontWithAfterOk() throws {
        let client = try LocalCluster.requireCluster()
        let directory = try LocalCluster.scratchDirectory(for: self)
        let store = try Store(root: directory.appendingPathComponent("store"))
        let configuration = SlurmExecutorConfiguration(
            assayExecutable: try ClusterStageHost.makeStandInExecutable(in: directory),
            defaults: SlurmResources(cpus: 1, memoryMegabytes: 200, timeLimitSeconds: 300), pollInterval: 0.1)
        let run = try SlurmPlanRun(plan: chain(), store: store, configuration: configuration, client: client)
        let started = Date()
        try run.submit()
        let results = run.follow()
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(results.map(\.status.state), Array(repeating: .completed, count: length))
        report("plan submitted up front", elapsed)
    }

    private func report(_ mode: String, _ elapsed: TimeInterval) {
        let perStage = elapsed / Double(length)
        print(String(format: "Slurm overhead, %@: %d-stage chain in %.2f s, %.2f s per stage", mode, length, elapsed, perStage))
        XCTAssertLessThan(perStage, 10)
    }
}
