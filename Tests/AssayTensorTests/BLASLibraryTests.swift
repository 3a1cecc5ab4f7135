import XCTest

@testable import AssayTensor

/// OpenBLAS is opened on the first matrix product (Sources/CBLAS), not linked.
final class BLASLibraryTests: XCTestCase {
    func testTheFirstProductLoadsOpenBLASAndComputesThroughIt() {
        var c = [Float](repeating: 0, count: 4)
        BLASKernel.multiply([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], into: &c, m: 2, n: 2, k: 3)
        XCTAssertEqual(c, [58, 64, 139, 154])
        XCTAssertTrue(BLASLibrary.isLoaded)
        XCTAssertTrue(BLASLibrary.configuration.contains("OpenBLAS"), BLASLibrary.configuration)
        XCTAssertFalse(BLASLibrary.coreName.isEmpty)
    }
}
