import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

final class RunRecordTests: XCTestCase {
    func testEveryExecutedStageIsInTheRunRecordBeforeTheNextStarts() throws {
        let fixture = try EngineFixture()
        let seen = EventLog()
        let store = fixture.store
        let mismatches = NSMutableArray()
        let result = try fixture.engine().run(try EngineFixture.diamond(), options: RunOptions(jobs: 1)) { event in
            seen.observer(event)
            guard case .stageStarted(_, let starting, _) = event, case .runStarted(let id, _)? = seen.all.first else { return }
            let text = (try? String(contentsOfFile: store.runRecordPath(id), encoding: .utf8)) ?? ""
            let recorded = text.split(separator: "\n").filter { $0.hasPrefix("stage ") }.map { String($0.split(separator: " ")[2]) }.sorted()
            let finished = seen.all.compactMap { if case .stageFinished(_, let s, _, _) = $0 { return s } else { return nil } }.sorted()
            if recorded != finished { mismatches.add("before \(starting): recorded \(recorded), finished \(finished)") }
        }
        XCTAssertEqual(result.status, .succeeded)
        XCTAssertEqual(mismatches.count, 0, "\(mismatches)")
        let record = try RunRecord.decode(try XCTUnwrap(try FileSystem.readFile(store.runRecordPath(result.runID))), path: "r", parameters: store.storedParameters)
        XCTAssertEqual(record.stages.map(\.stage), ["a", "b", "c", "d", "e"], "rewritten whole at the end, in plan order")
        XCTAssertEqual(record.finished?.status, "succeeded")
    }
}
