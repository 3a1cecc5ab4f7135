import AssayEngine
import AssaySupport
import Foundation
import XCTest

@testable import AssayRemote

/// The remote cache against a real server (nginx with WebDAV PUT on 127.0.0.1), two stores
/// standing for two machines.
final class RemoteCacheTests: XCTestCase {
    private let stages = ["source", "split0", "split1", "split2", "summary"]

    func testSecondMachineExecutesNothingAndGetsIdenticalArtifacts() throws {
        let server = try NginxServer.start()
        let first = try RemoteMachine(), second = try RemoteMachine()
        let a = try first.run(remote: server.url)
        XCTAssertEqual(a.executed, stages.sorted())
        XCTAssertEqual(a.notices, [])
        XCTAssertEqual(server.entries("ac").count, 5)
        XCTAssertEqual(server.entries("cas").count, 5)

        let b = try second.run(remote: server.url)
        XCTAssertEqual(b.result.status, .succeeded)
        XCTAssertEqual(b.executed, [], "the second machine must execute nothing")
        XCTAssertEqual(b.result.remoteHits.sorted(), stages.sorted())
        XCTAssertEqual(b.notices, [])
        XCTAssertEqual(try second.artifacts(b.result), try first.artifacts(a.result))
        XCTAssertEqual(b.result.stages.map(\.metrics), a.result.stages.map(\.metrics))

        // Now local: the next run on the second machine needs the server no more.
        server.stop()
        let again = try second.run(remote: server.url)
        XCTAssertEqual(again.executed, [])
        XCTAssertEqual(again.result.hits.count, 5)
        XCTAssertEqual(again.result.remoteHits, [])
        XCTAssertEqual(again.notices, [], "local hits do not touch the remote")
    }

    func testTwoMachinesExecutingTheSameKeysUploadIdenticalBytes() throws {
        let server = try NginxServer.start()
        let first = try RemoteMachine(), second = try RemoteMachine()
        _ = try first.run(remote: server.url)
        let records = try server.entries("ac").map { try Data(contentsOf: server.file("ac/" + $0)) }
        // The second machine computes everything itself (forced), and uploads the same bytes.
        let b = try second.run(remote: server.url, force: Set(stages))
        XCTAssertEqual(b.executed, stages.sorted())
        XCTAssertEqual(b.notices, [], "identical results are no conflict")
        XCTAssertEqual(try server.entries("ac").map { try Data(contentsOf: server.file("ac/" + $0)) }, records)
    }

    func testDifferingUploadForOneKeyIsReportedAndNotOverwritten() throws {
        let server = try NginxServer.start()
        let first = try RemoteMachine(), second = try RemoteMachine()
        let a = try first.run(remote: server.url)
        let key = a.result.report(stage: "split1")!.key!
        let before = try Data(contentsOf: server.file("ac/" + key.hex))
        second.salt = "other machine"
        let b = try second.run(remote: server.url, force: ["split1"])
        XCTAssertEqual(b.result.status, .succeeded)
        let conflicts = b.notices.filter(\.isConflict)
        XCTAssertEqual(conflicts.count, 1, "\(b.notices)")
        guard case .conflict(let message)? = conflicts.first else { return }
        XCTAssertTrue(message.contains("split1") && message.contains(key.short), message)
        XCTAssertEqual(try Data(contentsOf: server.file("ac/" + key.hex)), before, "the server's record must stay")
    }

    func testCorruptObjectFromTheServerIsDiscardedAndTheStageComputedLocally() throws {
        let server = try NginxServer.start()
        let first = try RemoteMachine(), second = try RemoteMachine()
        let a = try first.run(remote: server.url)
        let damaged = a.result.report(stage: "source")!.outputs["data"]!
        try Data("garbage instead of the object".utf8).write(to: server.file("cas/" + damaged.hex))

        let b = try second.run(remote: server.url)
        XCTAssertEqual(b.result.status, .succeeded)
        XCTAssertEqual(b.executed, ["source"], "only the stage whose object was damaged runs here")
        XCTAssertEqual(b.result.remoteHits.sorted(), ["split0", "split1", "split2", "summary"])
        XCTAssertEqual(b.notices.filter(\.isCorrupt).count, 1, "\(b.notices)")
        XCTAssertFalse(b.notices.contains(where: \.isUnavailable))
        XCTAssertEqual(try second.artifacts(b.result), try first.artifacts(a.result))
        XCTAssertFalse(second.store.hasObject(Digest.of(Array("garbage instead of the object".utf8))), "nothing damaged enters the store")
        // The machine that had the right bytes repaired the server's copy.
        XCTAssertEqual(Digest.of([UInt8](try Data(contentsOf: server.file("cas/" + damaged.hex)))), damaged)
    }

    func testActionRecordThatDoesNotMatchItsKeyIsDiscarded() throws {
        let server = try NginxServer.start()
        let first = try RemoteMachine(), second = try RemoteMachine()
        let a = try first.run(remote: server.url)
        // A well-formed record, but another key's: its recipe does not hash to the name.
        let split0 = a.result.report(stage: "split0")!.key!, split1 = a.result.report(stage: "split1")!.key!
        try FileManager.default.removeItem(at: server.file("ac/" + split1.hex))
        try FileManager.default.copyItem(at: server.file("ac/" + split0.hex), to: server.file("ac/" + split1.hex))
        // And one that is not a record at all.
        let split2 = a.result.report(stage: "split2")!.key!
        try Data("not an action record".utf8).write(to: server.file("ac/" + split2.hex))

        let b = try second.run(remote: server.url, uploads: false)
        XCTAssertEqual(b.executed, ["split1", "split2"])
        XCTAssertEqual(b.notices.filter(\.isCorrupt).count, 2, "\(b.notices)")
        XCTAssertEqual(try second.artifacts(b.result), try first.artifacts(a.result))
    }

    func testServerDyingMidRunGivesOneWarningAndTheRunSucceeds() throws {
        let server = try NginxServer.start()
        let machine = try RemoteMachine()
        machine.duringExecution = { stage in if stage == "split0" { server.kill() } }
        let run = try machine.run(remote: server.url)
        XCTAssertEqual(run.result.status, .succeeded)
        XCTAssertEqual(run.executed, stages.sorted())
        XCTAssertEqual(run.notices.filter(\.isUnavailable).count, 1, "\(run.notices)")
        XCTAssertEqual(run.notices.count, 1)
        // What the server got before it died is whole: the source's object and record.
        XCTAssertEqual(server.entries("ac").count, 1)
    }

    func testServerDyingMidUploadGivesOneWarningPublishesNothingPartialAndTheRunSucceeds() throws {
        // The relay forwards the first object upload's head and part of its body, then kills nginx
        // and drops the connection: the server dies with the upload in flight, on every run.
        let server = try NginxServer.start()
        let relay = try CuttingRelay(to: server, cutAt: "PUT /cas/")
        defer { relay.stop() }
        let machine = try RemoteMachine()
        let run = try machine.run(remote: relay.url)
        XCTAssertTrue(relay.didCut, "no object upload was attempted")
        XCTAssertEqual(run.result.status, .succeeded)
        XCTAssertEqual(run.executed, stages.sorted())
        XCTAssertEqual(run.notices.count, 1, "\(run.notices)")
        XCTAssertTrue(run.notices.first?.isUnavailable == true, "\(run.notices)")
        // Nothing half-written is visible: no object, and no record pointing at a missing one.
        XCTAssertEqual(server.entries("cas"), [])
        XCTAssertEqual(server.entries("ac"), [])
        // The local store has everything, intact.
        XCTAssertEqual(try machine.artifacts(run.result).count, stages.count)
    }

    func testUnreachableServerGivesOneWarningAndEverythingRunsLocally() throws {
        let machine = try RemoteMachine()
        let port = try NginxServer.freePort()
        let run = try machine.run(remote: URL(string: "http://127.0.0.1:\(port)/cache")!)
        XCTAssertEqual(run.result.status, .succeeded)
        XCTAssertEqual(run.executed, stages.sorted())
        XCTAssertEqual(run.notices.count, 1, "\(run.notices)")
        guard case .unavailable(let message)? = run.notices.first else { return XCTFail("\(run.notices)") }
        XCTAssertTrue(message.contains("connection refused"), message)
        XCTAssertFalse(message.contains("NSURLErrorDomain"), message)
    }

    func testReadOnlyRemoteUploadsNothing() throws {
        let server = try NginxServer.start()
        let machine = try RemoteMachine()
        let run = try machine.run(remote: server.url, uploads: false)
        XCTAssertEqual(run.executed, stages.sorted())
        XCTAssertEqual(server.entries("ac"), [])
        XCTAssertEqual(server.entries("cas"), [])
    }

    func testBearerTokenIsSentAndAMissingOneIsReported() throws {
        let server = try NginxServer.start(token: "s3cret")
        let first = try RemoteMachine(), second = try RemoteMachine(), third = try RemoteMachine()
        _ = try first.run(remote: server.url, token: "s3cret")
        XCTAssertEqual(server.entries("ac").count, 5)
        let b = try second.run(remote: server.url, token: "s3cret")
        XCTAssertEqual(b.executed, [])
        let c = try third.run(remote: server.url)
        XCTAssertEqual(c.executed, stages.sorted())
        XCTAssertEqual(c.notices.count, 1)
        guard case .unavailable(let message)? = c.notices.first else { return XCTFail("\(c.notices)") }
        XCTAssertTrue(message.contains("HTTP 401"), message)
    }
}
