import XCTest
@testable import AssayLearn

final class FeaturePoolingTests: XCTestCase {
    func testCellsPerSideFollowsFloorOfSquareRoot() throws {
        XCTAssertEqual(try FeaturePooling(targetSize: 8).cellsPerSide(channels: 2), 2)
        XCTAssertEqual(try FeaturePooling(targetSize: 7).cellsPerSide(channels: 2), 1)
        XCTAssertEqual(try FeaturePooling(targetSize: 27).cellsPerSide(channels: 3), 3)
        XCTAssertEqual(try FeaturePooling(targetSize: 4).cellsPerSide(channels: 4), 0)
        XCTAssertEqual(try FeaturePooling(targetSize: 1024).outputSize(for: .map(channels: 32, height: 28, width: 28)), 32 * 25)
        XCTAssertEqual(try FeaturePooling(targetSize: 1024).outputSize(for: .map(channels: 2048, height: 7, width: 7)), 2048)
    }

    /// 5×5 map with value 5r + c, p = 2: PyTorch bins [0, 3) and [2, 5) on both axes.
    func testAdaptivePoolingUsesOverlappingPyTorchBins() throws {
        let values = (0..<25).map { Float($0) }
        let pooled = try FeaturePooling(targetSize: 4).pool(values, examples: 1, shape: .map(channels: 1, height: 5, width: 5))
        XCTAssertEqual(pooled.columns, 4)
        XCTAssertEqual(pooled.values, [6, 8, 16, 18])
    }

    /// 7 rows, 1 column, p = 3: row bins [0,3), [2,5), [4,7); every column bin is [0,1).
    func testAdaptivePoolingOnUnevenSizes() throws {
        let values = (0..<7).map { Float($0) }
        let pooled = try FeaturePooling(targetSize: 9).pool(values, examples: 1, shape: .map(channels: 1, height: 7, width: 1))
        XCTAssertEqual(pooled.values, [1, 1, 1, 3, 3, 3, 5, 5, 5])
    }

    func testGlobalAveragePoolingWhenChannelsReachTheTarget() throws {
        // Two examples, 2 channels of 2×2.
        let values: [Float] = [1, 2, 3, 4, 0, 0, 0, 8,
                               1, 1, 1, 1, 2, 2, 2, 2]
        let pooled = try FeaturePooling(targetSize: 2).pool(values, examples: 2, shape: .map(channels: 2, height: 2, width: 2))
        XCTAssertEqual(pooled.rows, 2)
        XCTAssertEqual(pooled.values, [2.5, 2, 1, 2])
    }

    func testPatchesAreFlattenedChannelMajor() throws {
        // 2 channels of 2×2, target 8 → p = 2: identity pooling, order c, i, j.
        let values: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        let pooled = try FeaturePooling(targetSize: 8).pool(values, examples: 1, shape: .map(channels: 2, height: 2, width: 2))
        XCTAssertEqual(pooled.values, values)
    }

    func testVectorsPassThroughUnchanged() throws {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        let pooled = try FeaturePooling(targetSize: 100).pool(values, examples: 2, shape: .vector(3))
        XCTAssertEqual(pooled, FeatureMatrix(rows: 2, columns: 3, values: values))
    }

    func testWrongActivationCountIsRejected() throws {
        XCTAssertThrowsError(try FeaturePooling(targetSize: 4).pool([1, 2, 3], examples: 1, shape: .vector(4)))
    }
}
