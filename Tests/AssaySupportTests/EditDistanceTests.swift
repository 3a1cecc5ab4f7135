import AssaySupport
import XCTest

final class EditDistanceTests: XCTestCase {
    func testDistanceCountsEdits() {
        XCTAssertEqual(EditDistance.between("fmnst", "fmnist"), 1)
        XCTAssertEqual(EditDistance.between("kitten", "sitting"), 3)
        XCTAssertEqual(EditDistance.between("", "abc"), 3)
    }

    func testSuggestsOnlyCloseNames() {
        XCTAssertEqual(EditDistance.suggestion(for: "fmnst", among: ["fmnist", "waterbirds"]), "fmnist")
        XCTAssertNil(EditDistance.suggestion(for: "celeba", among: ["fmnist", "waterbirds"]))
        XCTAssertNil(EditDistance.suggestion(for: "ab", among: ["xy"]))
    }
}
