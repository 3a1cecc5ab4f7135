import AssaySupport
import XCTest

@testable import AssayEngine

final class StageKeyTests: XCTestCase {
    private let input = Digest.of("artifact")

    private func key(op: String = "train", version: Int = 1, params: String = "{}", inputs: [(String, Digest)]? = nil) -> Digest {
        StageKey.compute(
            operatorName: op, operatorVersion: version, parameters: Array(params.utf8),
            inputs: (inputs ?? [("data", input)]).map { (slot: $0.0, digest: $0.1) })
    }

    func testEveryRecipeFieldChangesTheKey() {
        let base = key()
        XCTAssertEqual(base, key())
        XCTAssertNotEqual(base, key(op: "train2"))
        XCTAssertNotEqual(base, key(version: 2))
        XCTAssertNotEqual(base, key(params: "{\"a\":1}"))
        XCTAssertNotEqual(base, key(inputs: [("data", Digest.of("other"))]))
        XCTAssertNotEqual(base, key(inputs: [("labels", input)]))
        XCTAssertNotEqual(base, key(inputs: []))
    }

    func testFieldsAreLengthPrefixedSoBoundariesCannotShift() {
        XCTAssertNotEqual(key(op: "ab", params: "c"), key(op: "a", params: "bc"))
    }
}
