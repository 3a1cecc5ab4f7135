import XCTest

@testable import AssayEngine

final class JSONDiffTests: XCTestCase {
    func testNestedChangesAreReportedByDataPath() {
        let changes = JSONDiff.changes(
            from: #"{"epochs":3,"optimizer":{"lr":0.001,"name":"adam"},"layers":[1,2],"seed":0}"#,
            to: #"{"epochs":5,"optimizer":{"lr":0.01,"name":"adam"},"layers":[1,3],"extra":true,"seed":0}"#)
        XCTAssertEqual(changes, [
            ValueChange(path: "epochs", before: "3", after: "5"),
            ValueChange(path: "extra", before: nil, after: "true"),
            ValueChange(path: "layers[1]", before: "2", after: "3"),
            ValueChange(path: "optimizer.lr", before: "0.001", after: "0.01"),
        ])
    }

    func testEqualDocumentsHaveNoChangesWhateverTheKeyOrder() {
        XCTAssertEqual(JSONDiff.changes(from: #"{"a":1,"b":[true,"x"]}"#, to: #"{"b":[true,"x"],"a":1}"#), [])
    }

    func testArraysOfDifferentLengthChangeAsAWhole() {
        XCTAssertEqual(JSONDiff.changes(from: #"{"seeds":[0,1]}"#, to: #"{"seeds":[0,1,2]}"#),
                       [ValueChange(path: "seeds", before: "[0,1]", after: "[0,1,2]")])
    }
}
