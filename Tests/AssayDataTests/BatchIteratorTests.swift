import Foundation
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

    /// Batches read from the memory-mapped artifact (the stages' path) are those of the same data
    /// held in memory (the former path), value for value, shuffled or not, over a subset or not, with
    /// masks, and still after the pages of earlier batches have been released.
    func testMappedArtifactGivesTheBatchesOfTheDataInMemory() throws {
        let scenes = try SceneComposer.compose(items: TestData.squares(count: 12), count: 37,
                                               spec: SceneSpec(canvas: ImageSize(height: 64, width: 72), itemsPerScene: 1 ... 2), seed: 4)
        let url = TestData.scratchDirectory("mapped-batches").appendingPathComponent("scenes.assayds")
        try DatasetArtifact.write(scenes, to: url)
        let mapped = try DatasetArtifact.readDataset(from: url)
        let copied = try XCTUnwrap(DatasetArtifact.decode(try Data(contentsOf: url), path: url.path)["all"])
        XCTAssertTrue(mapped.pixels.isMapped)
        XCTAssertTrue(try XCTUnwrap(mapped.masks).pixels.isMapped)
        XCTAssertFalse(copied.pixels.isMapped)
        XCTAssertEqual(mapped, scenes)
        let norm = PixelNormalization(mean: [0.4], std: [0.3])
        for (seed, indices) in [(nil, nil), (UInt64(9), nil), (UInt64(9), [3, 1, 36, 3, 20]), (nil, Array((0 ..< 37).reversed()))] as [(UInt64?, [Int]?)] {
            for epoch in 0 ..< 2 {
                let a = Array(BatchIterator(dataset: mapped, batchSize: 6, shuffleSeed: seed, epoch: epoch, normalization: norm, indices: indices))
                let b = Array(BatchIterator(dataset: copied, batchSize: 6, shuffleSeed: seed, epoch: epoch, normalization: norm, indices: indices))
                XCTAssertEqual(a.map(\.indices), b.map(\.indices))
                XCTAssertEqual(a.map(\.images), b.map(\.images), "seed \(String(describing: seed)), epoch \(epoch)")
                XCTAssertEqual(a.map(\.labels), b.map(\.labels))
                XCTAssertEqual(a.map(\.masks), b.map(\.masks))
            }
        }
        // Released pages read back unchanged.
        XCTAssertEqual(mapped.pixels, scenes.pixels)
        XCTAssertEqual(mapped.masks, scenes.masks)
    }

    func testWritingToMappedBytesCopiesThemFirst() throws {
        let data = TestData.squares(count: 5)
        let url = TestData.scratchDirectory("mapped-write").appendingPathComponent("squares.assayds")
        try DatasetArtifact.write(data, to: url)
        let mapped = try DatasetArtifact.readDataset(from: url)
        var changed = mapped
        changed.pixels[3] = 77
        XCTAssertFalse(changed.pixels.isMapped)
        XCTAssertTrue(mapped.pixels.isMapped)
        XCTAssertEqual(mapped.pixels, data.pixels, "the mapped original is untouched")
        XCTAssertEqual(changed.pixels[3], 77)
        XCTAssertEqual(Array(changed.pixels[4...]), Array(data.pixels[4...]))
        XCTAssertEqual(try DatasetArtifact.readDataset(from: url), data, "and so is the file")
    }
}

/// Resident memory of a mapped artifact after a pass: the pages of converted batches are given back.
final class MappedResidencyTests: XCTestCase {
    /// Kilobytes of `path`'s mappings resident in this process (Linux `/proc/self/smaps`), nil elsewhere.
    static func residentKiB(of path: String) -> Int? {
        guard let smaps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8) else { return nil }
        var total = 0, inFile = false
        for line in smaps.split(separator: "\n") {
            if line.first?.isHexDigit == true, line.contains("-") { inFile = line.hasSuffix(path) } else if inFile, line.hasPrefix("Rss:") {
                total += Int(line.split(separator: " ")[1]) ?? 0
            }
        }
        return total
    }

    func testAPassOverAMappedDataSetLeavesLittleOfItResident() throws {
        let shape = SampleShape(channels: 3, height: 64, width: 64)
        let count = 600
        let pixels = (0 ..< count * shape.count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let data = try ImageDataset(shape: shape, pixels: pixels, labels: (0 ..< count).map { Int32($0 % 2) }, classNames: ["a", "b"])
        let url = TestData.scratchDirectory("mapped-residency").appendingPathComponent("big.assayds")
        try DatasetArtifact.write(data, to: url)
        // Written again in 1 MiB pieces, as a stage writes a big split: Linux 6.x then keeps the file in
        // large page-cache folios (up to 2 MiB), and a fault maps a whole folio, not one page.
        let bytes = try Data(contentsOf: url)
        let handle = try FileHandle(forWritingTo: url)
        for start in stride(from: 0, to: bytes.count, by: 1 << 20) { try handle.write(contentsOf: bytes[start ..< min(bytes.count, start + (1 << 20))]) }
        try handle.close()
        let mapped = try DatasetArtifact.readDataset(from: url)
        try XCTSkipIf(Self.residentKiB(of: url.path) == nil, "no /proc/self/smaps")
        var images = [Float](repeating: 0, count: 32 * shape.count)
        for (seed, epoch) in [(nil, 0), (UInt64(3), 1)] as [(UInt64?, Int)] {
            let iterator = BatchIterator(dataset: mapped, batchSize: 32, shuffleSeed: seed, epoch: epoch)
            images.withUnsafeMutableBufferPointer { im in
                for b in 0 ..< iterator.batchCount { iterator.fill(batch: b, images: im, labels: nil) }
            }
            let resident = try XCTUnwrap(Self.residentKiB(of: url.path))
            // The data set is 7.2 MB; what stays is the manifest's pages and at most a window or two.
            XCTAssertLessThan(resident, 512, "KiB of the artifact resident after a pass (shuffled: \(seed != nil))")
        }
    }
}
