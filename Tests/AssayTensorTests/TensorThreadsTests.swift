@testable import AssayTensor
import Foundation
import XCTest

/// Every parallel op gives the same bits on 1, 2, 3 and 8 workers: outputs and all
/// gradients, for batch sizes that do not divide evenly among workers or chunks.
final class TensorThreadsTests: XCTestCase {
    static let workerCounts = [1, 2, 3, 8]
    static let batches = [1, 5, 17, 33]

    /// Runs `graph` (fresh leaves each time) on every worker count and asserts
    /// that each returned array is bit-identical to the one-worker run.
    private func assertSameBitsOnAnyWorkerCount(_ label: String, _ graph: () -> [[Float]],
                                                file: StaticString = #filePath, line: UInt = #line) {
        let reference = TensorThreads.withWorkers(1, graph)
        XCTAssertFalse(reference.isEmpty)
        for workers in Self.workerCounts.dropFirst() {
            let result = TensorThreads.withWorkers(workers, graph)
            XCTAssertEqual(result.count, reference.count, file: file, line: line)
            for (i, (a, b)) in zip(reference, result).enumerated() {
                // Compare bit patterns so that -0 vs 0 or NaN payloads would count as differences.
                XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern),
                               "\(label): array \(i) differs between 1 and \(workers) workers", file: file, line: line)
            }
        }
    }

    /// Backpropagates a fixed pseudo-random gradient from `y`, so every gradient element matters.
    private func backward(_ y: Tensor, seed: UInt64) {
        y.backward(seed: randomTensor(y.shape, seed: seed).data)
    }

    func testConvolutionForwardAndBackward() {
        // (channels, size, filters, kernel, stride, padding): grouped 3x3 on small maps,
        // a pointwise conv on a large map (the direct path) and one on a small map.
        let cases: [(Int, Int, Int, Int, Int, Int)] = [(3, 9, 8, 3, 1, 1), (4, 16, 6, 1, 1, 0), (5, 7, 4, 1, 1, 0), (2, 12, 3, 5, 2, 2)]
        for n in Self.batches {
            for (i, (c, size, f, kernel, stride, padding)) in cases.enumerated() {
                let x0 = randomTensor([n, c, size, size], seed: 100 + UInt64(i))
                let w0 = randomTensor([f, c, kernel, kernel], seed: 200 + UInt64(i), std: 0.3)
                let b0 = randomTensor([f], seed: 300 + UInt64(i))
                for cacheLimit in [0, 1 << 30] {
                    assertSameBitsOnAnyWorkerCount("conv case \(i) batch \(n) cache \(cacheLimit)") {
                        let saved = ColumnCache.byteLimit
                        ColumnCache.byteLimit = cacheLimit
                        defer { ColumnCache.byteLimit = saved }
                        let (x, w, b) = (x0.detached().requiringGrad(), w0.detached().requiringGrad(), b0.detached().requiringGrad())
                        let y = conv2d(x, weight: w, bias: b, stride: Size2(stride), padding: Size2(padding))
                        backward(y, seed: 400)
                        return [y.data, x.grad!, w.grad!, b.grad!]
                    }
                }
            }
        }
    }

    /// Without gradients, small maps group the whole batch and cut the filters into row
    /// slices (`filterSliceSize`); the output must equal, bit for bit, the recording pass
    /// (groups of at most a quarter of the batch, all filters at once) on any worker count.
    func testInferenceConvolutionSlicesFiltersWithoutChangingABit() {
        // (batch, channels, size, filters, kernel, padding, bias): SegNet's deep layers at
        // 64×64 batch 16, an uneven filter count, a pointwise conv on a small map.
        let cases: [(Int, Int, Int, Int, Int, Int, Bool)] = [
            (16, 32, 4, 512, 3, 1, true), (16, 16, 8, 256, 3, 1, false), (5, 32, 5, 200, 3, 1, true), (3, 256, 7, 192, 1, 0, true),
        ]
        for (i, (n, c, size, f, kernel, padding, hasBias)) in cases.enumerated() {
            let x0 = randomTensor([n, c, size, size], seed: 110 + UInt64(i))
            let w0 = randomTensor([f, c, kernel, kernel], seed: 210 + UInt64(i), std: 0.3)
            let b0 = hasBias ? randomTensor([f], seed: 310 + UInt64(i)) : nil
            let (k, l) = (c * kernel * kernel, size * size)
            XCTAssertLessThan(filterSliceSize(filters: f, groups: 1, columns: n * k * l, plane: l, patch: k, smallestGroupWidth: n * l), f, "case \(i) is sliced")
            let recorded = conv2d(x0.detached().requiringGrad(), weight: w0, bias: b0, padding: Size2(padding)).data
            assertSameBitsOnAnyWorkerCount("inference conv case \(i)") {
                let y = Autograd.withoutGradients { conv2d(x0, weight: w0, bias: b0, padding: Size2(padding)) }
                XCTAssertEqual(y.data.map(\.bitPattern), recorded.map(\.bitPattern), "inference conv case \(i) differs from the recording pass")
                return [y.data]
            }
        }
        func slice(_ f: Int, groups: Int, columns: Int = 1000, patch: Int = 4608) -> Int {
            filterSliceSize(filters: f, groups: groups, columns: columns, plane: 16, patch: patch, smallestGroupWidth: 256)
        }
        XCTAssertEqual(slice(512, groups: 1), 128)
        XCTAssertEqual(slice(200, groups: 1), 128)
        XCTAssertEqual(slice(512, groups: 4), 512, "enough groups for the workers")
        XCTAssertEqual(slice(512, groups: 1, columns: 0), 512, "slicing not allowed")
        XCTAssertEqual(slice(512, groups: 1, patch: 27), 512, "small products keep OpenBLAS's small-matrix kernel on both cuts")
        XCTAssertEqual(slice(130, groups: 1, patch: 1000), 130, "a 2-filter last slice would be a small product")
    }

    func testTransposedConvolutionForwardAndBackward() {
        for n in Self.batches {
            let x0 = randomTensor([n, 4, 6, 6], seed: 11), w0 = randomTensor([4, 3, 3, 3], seed: 12, std: 0.3)
            let b0 = randomTensor([3], seed: 13)
            assertSameBitsOnAnyWorkerCount("transposed conv batch \(n)") {
                let (x, w, b) = (x0.detached().requiringGrad(), w0.detached().requiringGrad(), b0.detached().requiringGrad())
                let y = convTranspose2d(x, weight: w, bias: b, stride: Size2(2), padding: Size2(1), outputPadding: Size2(1))
                backward(y, seed: 14)
                return [y.data, x.grad!, w.grad!, b.grad!]
            }
        }
    }

    func testLinearAndMatmulForwardAndBackward() {
        // Widths below, at and above one 16-wide chunk, and one that splits unevenly.
        for n in Self.batches {
            for (fanIn, fanOut) in [(7, 3), (33, 16), (200, 130), (1568, 128)] {
                let x0 = randomTensor([n, fanIn], seed: 21), w0 = randomTensor([fanOut, fanIn], seed: 22, std: 0.1)
                let b0 = randomTensor([fanOut], seed: 23)
                assertSameBitsOnAnyWorkerCount("linear \(fanIn)→\(fanOut) batch \(n)") {
                    let (x, w, b) = (x0.detached().requiringGrad(), w0.detached().requiringGrad(), b0.detached().requiringGrad())
                    let y = linear(x, weight: w, bias: b)
                    backward(y, seed: 24)
                    return [y.data, x.grad!, w.grad!, b.grad!]
                }
                assertSameBitsOnAnyWorkerCount("matmul \(n)×\(fanIn)·\(fanIn)×\(fanOut)") {
                    let a = x0.detached().requiringGrad(), m = w0.transposed().detached().requiringGrad()
                    let y = matmul(a, m)
                    backward(y, seed: 25)
                    return [y.data, a.grad!, m.grad!]
                }
            }
        }
    }

    func testBatchNormAndPoolingForwardAndBackward() {
        for n in Self.batches {
            let x0 = randomTensor([n, 6, 8, 8], seed: 31)
            let g0 = randomTensor([6], seed: 32), b0 = randomTensor([6], seed: 33)
            for training in [true, false] {
                assertSameBitsOnAnyWorkerCount("batch norm batch \(n) training \(training)") {
                    let (x, g, b) = (x0.detached().requiringGrad(), g0.detached().requiringGrad(), b0.detached().requiringGrad())
                    let (rm, rv) = (Tensor.zeros([6]), Tensor.ones([6]))
                    let y = batchNorm(x, weight: g, bias: b, runningMean: rm, runningVar: rv, training: training)
                    backward(y, seed: 34)
                    return [y.data, x.grad!, g.grad!, b.grad!, rm.data, rv.data]
                }
            }
            assertSameBitsOnAnyWorkerCount("max pool batch \(n)") {
                let x = x0.detached().requiringGrad()
                let (y, _) = maxPool2d(x, kernel: Size2(3), stride: Size2(2), padding: Size2(1))
                let z = maxPool2d(x, kernel: Size2(2)).output
                backward(y, seed: 35)
                backward(z, seed: 36)
                return [y.data, z.data, x.grad!]
            }
            for training in [true, false] {
                assertSameBitsOnAnyWorkerCount("batch norm + relu batch \(n) training \(training)") {
                    let (x, g, b) = (x0.detached().requiringGrad(), g0.detached().requiringGrad(), b0.detached().requiringGrad())
                    let (rm, rv) = (Tensor.zeros([6]), Tensor.ones([6]))
                    let y = addReLU(batchNormReLU(x, weight: g, bias: b, runningMean: rm, runningVar: rv, training: training), x)
                    backward(y, seed: 38)
                    return [y.data, x.grad!, g.grad!, b.grad!, rm.data, rv.data]
                }
            }
            assertSameBitsOnAnyWorkerCount("avg pool and relu batch \(n)") {
                let x = x0.detached().requiringGrad()
                let y = avgPool2d(x.relu(), kernel: Size2(2))
                backward(y, seed: 37)
                return [y.data, x.grad!]
            }
        }
    }

    func testUnpoolingSoftmaxAndPerPixelLossForwardAndBackward() {
        for n in Self.batches {
            let x0 = randomTensor([n, 19, 9, 9], seed: 43)
            assertSameBitsOnAnyWorkerCount("batch norm over 19 channels, batch \(n)") {
                let x = x0.detached().requiringGrad()
                let (g, b) = (randomTensor([19], seed: 44).requiringGrad(), randomTensor([19], seed: 45).requiringGrad())
                let (rm, rv) = (Tensor.zeros([19]), Tensor.ones([19]))
                let y = batchNormReLU(x, weight: g, bias: b, runningMean: rm, runningVar: rv, training: true)
                backward(y, seed: 46)
                return [y.data, x.grad!, g.grad!, b.grad!, rm.data, rv.data]
            }
            assertSameBitsOnAnyWorkerCount("unpool after an overlapping pool, batch \(n)") {
                let x = x0.detached().requiringGrad()
                let (pooled, indices) = maxPool2d(x, kernel: Size2(3), stride: Size2(2), ceilMode: true)
                let y = maxUnpool2d(pooled, indices: indices)
                backward(y, seed: 47)
                return [y.data, x.grad!]
            }
            assertSameBitsOnAnyWorkerCount("softmax and per-pixel cross-entropy, batch \(n)") {
                let x = x0.detached().requiringGrad()
                let targets = (0..<(n * 81)).map { ($0 * 7) % 19 }
                let loss = crossEntropy(x, targets: targets, classWeights: (0..<19).map { 0.5 + Float($0) / 19 })
                let probabilities = x.softmax(axis: 1)
                loss.backward()
                backward(probabilities, seed: 48)
                return [loss.data, probabilities.data, x.grad!]
            }
        }
    }

    func testReluSlicesAgreeOnNaNWhereverASliceEnds() {
        // Large enough to be sliced (64Ki elements per worker), with NaNs and zeros
        // throughout, so some fall in SIMD bodies for one worker count and in scalar
        // tails for another.
        var values = randomTensor([3 * 65_536 + 5], seed: 41).data
        for i in stride(from: 0, to: values.count, by: 3) { values[i] = .nan }
        for i in stride(from: 1, to: values.count, by: 5) { values[i] = 0 }
        let x0 = Tensor(values, shape: [values.count])
        assertSameBitsOnAnyWorkerCount("relu with NaNs") {
            let x = x0.detached().requiringGrad()
            let y = x.relu()
            backward(y, seed: 42)
            return [y.data, x.grad!]
        }
    }

    func testWorkerCountIsScoped() {
        XCTAssertEqual(TensorThreads.count, TensorThreads.defaultCount)
        TensorThreads.withWorkers(3) {
            XCTAssertEqual(TensorThreads.count, 3)
            TensorThreads.withWorkers(1) { XCTAssertEqual(TensorThreads.count, 1) }
            XCTAssertEqual(TensorThreads.count, 3)
        }
        XCTAssertEqual(TensorThreads.count, TensorThreads.defaultCount)
        // Two threads in different scopes at once each see their own count.
        let seen = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { seen.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            TensorThreads.withWorkers(5 + i) {
                usleep(20_000)
                seen[i] = TensorThreads.count
            }
        }
        XCTAssertEqual([seen[0], seen[1]], [5, 6])
    }

    func testChunkBoundariesDependOnlyOnTheSize() {
        let chunks = Chunks(130, target: 8, align: 16)
        XCTAssertEqual(chunks.size, 32)
        XCTAssertEqual(chunks.count, 5)
        XCTAssertEqual(chunks.range(4), 128..<130)
        XCTAssertEqual(Chunks(3, target: 8, align: 16).count, 1)
        let reduction = ReductionChunks(parts: 17)
        XCTAssertEqual(reduction.count, ReductionChunks.limit)
        XCTAssertEqual((0..<reduction.count).map { reduction.range($0).count }.reduce(0, +), 17)
        XCTAssertEqual(ReductionChunks(parts: 3).count, 3)
    }
}
