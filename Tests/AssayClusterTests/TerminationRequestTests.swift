import Foundation
import XCTest
@testable import AssayCluster

final class TerminationRequestTests: XCTestCase {
    func testSigtermSetsTheFlagInsteadOfEndingTheProcess() {
        let request = TerminationRequest()
        defer { request.stop() }
        XCTAssertFalse(request.isRequested)
        kill(getpid(), SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while !request.isRequested && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertTrue(request.isRequested)
    }
}
