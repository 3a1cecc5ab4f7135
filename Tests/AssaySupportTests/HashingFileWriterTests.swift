import AssaySupport
import Foundation
import XCTest

final class HashingFileWriterTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Pieces around the 4 KiB block and the (small) staging buffer, so that direct writes, the
    /// plainly written tail and pieces split across flushes are all exercised.
    private let pieceSizes = [0, 1, 4095, 4096, 4097, 8192, 3 * 8192 + 5, 64, 100_000, 7]

    private func pieces() -> [[UInt8]] {
        var next: UInt8 = 0
        return pieceSizes.map { size in
            (0 ..< size).map { _ in
                next = next &* 37 &+ 11
                return next
            }
        }
    }

    func testTheFileAndTheDigestHoldEveryByteDirectOrThroughThePageCache() throws {
        let all = pieces().flatMap { $0 }
        for direct in [true, false] {
            for staging in [4096, 8192, 1 << 20] {
                let url = directory.appendingPathComponent("f-\(direct)-\(staging)")
                let writer = try HashingFileWriter(creating: url.path, direct: direct, stagingBytes: staging)
                if !direct { XCTAssertFalse(writer.isDirect) }
                for piece in pieces() { try piece.withUnsafeBytes { try writer.write($0) } }
                XCTAssertEqual(writer.count, all.count)
                let digest = try writer.finish()
                XCTAssertEqual(digest, Digest.of(all), "direct \(direct), staging \(staging)")
                XCTAssertEqual([UInt8](try Data(contentsOf: url)), all, "direct \(direct), staging \(staging)")
            }
        }
    }

    func testAnExistingLongerFileIsReplaced() throws {
        let url = directory.appendingPathComponent("old")
        try Data(repeating: 7, count: 50_000).write(to: url)
        let writer = try HashingFileWriter(creating: url.path)
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try writer.write($0) }
        XCTAssertEqual(try writer.finish(), Digest.of([UInt8]([1, 2, 3])))
        XCTAssertEqual([UInt8](try Data(contentsOf: url)), [1, 2, 3])
    }

    func testAnEmptyFileHasTheEmptyDigest() throws {
        let url = directory.appendingPathComponent("empty")
        XCTAssertEqual(try HashingFileWriter(creating: url.path).finish(), Digest.of([UInt8]()))
        XCTAssertEqual(try Data(contentsOf: url).count, 0)
    }

    func testAFileInAMissingDirectoryFailsWithItsErrno() throws {
        XCTAssertThrowsError(try HashingFileWriter(creating: directory.appendingPathComponent("no/such/file").path)) { error in
            XCTAssertEqual((error as? HashingFileWriter.Failure)?.code, ENOENT)
        }
    }
}
