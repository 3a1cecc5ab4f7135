import Foundation
import XCTest
@testable import AssayData

final class DataWorkersTests: XCTestCase {
    func testEveryItemRunsOnceOnAtMostTheScopedWorkers() {
        for workers in [1, 2, 3, 8] {
            let lock = NSLock()
            var seen = [Int](repeating: 0, count: 23)
            var threads = Set<String>()
            let caller = "\(pthread_self())"
            DataWorkers.withWorkers(workers) {
                XCTAssertEqual(DataWorkers.count, workers)
                DataWorkers.forEach(23) { i in
                    lock.lock()
                    seen[i] += 1
                    threads.insert("\(pthread_self())")
                    lock.unlock()
                }
            }
            XCTAssertEqual(seen, [Int](repeating: 1, count: 23), "workers \(workers)")
            XCTAssertLessThanOrEqual(threads.count, workers)
            if workers == 1 { XCTAssertEqual(threads, [caller], "one worker decodes on the calling thread") }
        }
    }

    func testDecodedBytesDoNotDependOnTheWorkerCount() throws {
        let dir = TestData.scratchDirectory("data-workers")
        var files: [URL] = []
        for k in 0 ..< 7 {
            let url = dir.appendingPathComponent("i\(k).png")
            try PNGCodec.write(TestData.gradient(width: 9 + k, height: 6, channels: 3, seed: k), to: url)
            files.append(url)
        }
        let preprocessing = ImagePreprocessing(channels: 3, resize: .exact(height: 5, width: 4))
        let one = try DataWorkers.withWorkers(1) { try ImageBatchDecoder.decode(files, preprocessing: preprocessing) }
        for workers in [2, 3, 8] {
            let many = try DataWorkers.withWorkers(workers) { try ImageBatchDecoder.decode(files, preprocessing: preprocessing) }
            XCTAssertEqual(many.pixels, one.pixels, "workers \(workers)")
        }
    }
}
