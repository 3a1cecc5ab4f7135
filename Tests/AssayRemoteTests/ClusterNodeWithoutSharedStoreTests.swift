import AssayCluster
import AssayEngine
import AssaySupport
import Foundation
import XCTest

@testable import AssayRemote

/// A Slurm job on a node that does not see the coordinator's store: `assay run-stage` opens a
/// node-local store, fetches its inputs from the remote cache, runs, uploads; the coordinator
/// takes the result from the remote.
final class ClusterNodeWithoutSharedStoreTests: XCTestCase {
    func testStageJobOnANodeStoreTravelsThroughTheRemote() throws {
        let server = try NginxServer.start()
        let coordinator = try RemoteMachine(), node = try RemoteMachine()
        // The coordinator has the source (and uploaded it); the node has nothing.
        let plan = RemoteMachine.plan
        let local = try coordinator.run(remote: server.url)
        let source = local.result.report(stage: "source")!
        let split = plan["split0"]!
        let key = local.result.report(stage: "split0")!.key!
        // Forget split0 on the server and in the coordinator's store, so the node must compute it.
        try FileManager.default.removeItem(at: server.file("ac/" + key.hex))
        coordinator.store.removeActionRecord(for: key)

        let job = StageJob(node: split, key: key, inputs: ["data": source.outputs["data"]!], threads: 1, force: false)
        let jobPath = node.directory.appendingPathComponent("job.json").path
        try JSONEncoder().encode(job).write(to: URL(fileURLWithPath: jobPath))
        let invocation = ClusterStageInvocation(
            storePath: node.store.root.path, jobPath: jobPath, outcomePath: node.directory.appendingPathComponent("outcome.json").path,
            remote: .init(url: server.url.absoluteString, tokenVariable: RemoteCacheSettings.defaultTokenVariable))
        let session = RemoteCacheSession(cache: HTTPRemoteCache(baseURL: server.url, timeout: 5))
        let result = ClusterStageCommand.run(invocation, runner: StageRunner(store: node.store, operators: node.operators, remote: session))
        XCTAssertEqual(result.exitStatus, 0, result.message ?? "")
        XCTAssertEqual(try StageOutcomeReport.read(from: invocation.outcomePath)?.kind, .executed)
        XCTAssertTrue(node.store.hasObject(source.outputs["data"]!), "the input came from the remote")

        // The coordinator brings the node's result home and it is the bytes it computed itself.
        let home = RemoteCacheSession(cache: HTTPRemoteCache(baseURL: server.url, timeout: 5))
        var notices: [RemoteCacheNotice] = []
        let record = try XCTUnwrap(home.lookup(job, in: coordinator.store) { notices.append($0) })
        XCTAssertEqual(notices, [])
        XCTAssertEqual(record.output(named: "data")?.digest, local.result.report(stage: "split0")!.outputs["data"])
    }
}
