import XCTest
@testable import AssayData

final class BatchIteratorTests: XCTestCase {
    func testEpochVisitsEveryExampleOnceWithPartialLastBatch() {
        let data = TestData.squares(count: 23)
        let batches = Array(BatchIterator(dataset: data, batchSize: 5, shuffleSeed: 1, epoch: 0))
        XCTAssertEqual(batches.map(\.count), [5, 5, 5, 5, 3])
        XCTAssertEqual(batches.flatMap(\.indices).sorted(), Array(0 ..< 23))
        let dropped = Array(BatchIterator(dataset: data, batchSize: 5, shuffleSeed: 1, epoch: 0, dropLast: true))
        XCTAssertEqual(dropped.map(\.count), [5, 5, 5, 5])
    }

    func testEpochsShuffleDifferentlyAndRepeatPerSeed() {
        let data = TestData.squares(count: 50)
        let e0 = BatchIterator(dataset: data, batchSize: 8, shuffleSeed: 3, epoch: 0).order
        let e1 = BatchIterator(dataset: data, batchSize: 8, shuffleSeed: 3, epoch: 1).order
        XCTAssertNotEqual(e0, e1)
        XCTAssertEqual(e0, BatchIterator(dataset: data, batchSize: 8, shuffleSeed: 3, epoch: 0).order)
        XCTAssertEqual(BatchIterator(dataset: data, batchSize: 8, shuffleSeed: nil).order, Array(0 ..< 50))
    }

    func testFillNormalisesWithMeanAndStd() {
        let data = TestData.squares(count: 4)
        let norm = PixelNormalization(mean: [0.5], std: [0.25])
        let iterator = BatchIterator(dataset: data, batchSize: 4, shuffleSeed: nil, normalization: norm)
        var images = [Float](repeating: .nan, count: 4 * data.shape.count)
        var labels = [Int32](repeating: -1, count: 4)
        let n = images.withUnsafeMutableBufferPointer { im in labels.withUnsafeMutableBufferPointer { iterator.fill(batch: 0, images: im, labels: $0) } }
        XCTAssertEqual(n, 4)
        XCTAssertEqual(labels, data.labels)
        for (v, x) in zip(images, data.pixels) { XCTAssertEqual(v, (Float(x) / 255 - 0.5) / 0.25, accuracy: 1e-6) }
        XCTAssertEqual(data.floatPixels(norm), images)
    }

    func testMasksComeWithTheirBatch() throws {
        let scenes = try SceneComposer.compose(items: TestData.squares(count: 8), count: 6,
                                               spec: SceneSpec(canvas: ImageSize(height: 12, width: 12), itemsPerScene: 1 ... 1), seed: 0)
        let batch = BatchIterator(dataset: scenes, batchSize: 4, shuffleSeed: 2).batch(0)
        XCTAssertEqual(batch.masks?.count, 4 * 144)
        XCTAssertEqual(batch.masks.map { Array($0[144 ..< 288]) }, Array(scenes.mask(at: batch.indices[1])!).map(Int32.init))
    }
}
