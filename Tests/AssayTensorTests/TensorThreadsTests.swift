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
                // Compare bit patterns so that -0 vs 0 or NaN payloads would count as differences;
                // report the first difference, not two arrays of thousands of numbers.
                let first = a.count == b.count ? a.indices.first { a[$0].bitPattern != b[$0].bitPattern } : min(a.count, b.count)
                XCTAssertNil(first, "\(label): array \(i) differs between 1 and \(workers) workers at index \(first ?? 0)",
                             file: file, line: line)
            }
        }
    }

    /// Backpropagates a fixed pseudo-random gradient from `y`, so every gradient element matters.
    private func backward(_ y: Tensor, seed: UInt64) {
        y.backward(seed: randomTensor(y.shape, seed: seed).data)
    }

    func testConvolutionForwardAndBackward() {
        // (channels, size, filters, kernel, stride, padding): 3x3 on small maps,
        // a pointwise conv on a large map (the direct weight-gradient path) and one on a small map.
        let cases: [(Int, Int, Int, Int, Int, Int)] = [(3, 9, 8, 3, 1, 1), (4, 16, 6, 1, 1, 0), (5, 7, 4, 1, 1, 0), (2, 12, 3, 5, 2, 2)]
        for n in Self.batches {
            for (i, (c, size, f, kernel, stride, padding)) in cases.enumerated() {
                let x0 = randomTensor([n, c, size, size], seed: 100 + UInt64(i))
                let w0 = randomTensor([f, c, kernel, kernel], seed: 200 + UInt64(i), std: 0.3)
                let b0 = randomTensor([f], seed: 300 + UInt64(i))
                assertSameBitsOnAnyWorkerCount("conv case \(i) batch \(n)") {
                    let (x, w, b) = (x0.detached().requiringGrad(), w0.detached().requiringGrad(), b0.detached().requiringGrad())
                    let y = conv2d(x, weight: w, bias: b, stride: Size2(stride), padding: Size2(padding))
                    backward(y, seed: 400)
                    return [y.data, x.grad!, w.grad!, b.grad!]
                }
            }
        }
    }

    /// oneDNN's forward (training and inference) and backward-data on the layer shapes
    /// the built-ins use and on awkward ones: its kernels, blocked layouts and work
    /// split are chosen per thread count, the bytes must not be. Inference uses other
    /// kernels than the recording pass (oneDNN picks brgemm convolutions for it), so
    /// it agrees with training to rounding, each to the bit across thread counts.
    func testOneDNNConvolutionOnManyShapes() {
        // (batch, channels, height, width, filters, kernel, stride, padding, dilation)
        let cases: [(Int, Int, Int, Int, Int, Size2, Size2, Size2, Size2)] = [
            (1, 3, 9, 9, 8, 3, 1, 1, 1),             // batch 1, RGB input
            (5, 17, 13, 11, 19, 3, 2, 1, 1),         // odd sizes and channel counts, stride 2
            (3, 3, 35, 35, 16, 11, 4, 2, 1),         // AlexNet's 11×11 stride 4 stem
            (2, 64, 7, 7, 32, 1, 1, 0, 1),           // 1×1
            (4, 32, 20, 20, 64, 1, 2, 0, 1),         // 1×1 stride 2 (ResNet downsample)
            (2, 1, 6, 6, 1, 3, 1, 1, 1),             // one channel in, one out
            (3, 2, 5, 7, 3, 2, 1, 0, 1),             // tiny, even kernel
            (3, 6, 10, 10, 5, 5, 1, 4, 2),           // dilation 2
            (2, 8, 9, 7, 5, Size2(1, 3), Size2(2, 1), Size2(0, 1), 1),  // rectangular
            (2, 256, 4, 4, 512, 3, 1, 1, 1),         // SegNet's deep layers on small maps
            (6, 96, 8, 8, 16, 1, 1, 0, 1),           // a Fire module's squeeze
            (2, 16, 9, 9, 64, 3, 1, 1, 1),           // and its 3×3 expand
            (1, 3, 64, 64, 24, 7, 2, 3, 1),          // a ResNet-style stem
            (2, 64, 28, 28, 64, 3, 1, 1, 1),         // a ResNet 3×3 block layer
            (17, 8, 5, 5, 10, 3, 1, 1, 1),           // a batch no worker count divides
            (16, 16, 64, 64, 16, 3, 1, 1, 1),        // SegNet's first block (weight gradient on oneDNN)
            (13, 11, 20, 18, 7, 5, 2, 2, 1),         // oneDNN's weight gradient on an uneven batch, stride 2
        ]
        for (i, (n, c, h, w, f, kernel, stride, padding, dilation)) in cases.enumerated() {
            let x0 = randomTensor([n, c, h, w], seed: 500 + UInt64(i))
            let w0 = randomTensor([f, c, kernel.h, kernel.w], seed: 600 + UInt64(i), std: 0.3)
            let b0 = randomTensor([f], seed: 700 + UInt64(i))
            let label = "oneDNN case \(i) [\(n), \(c), \(h), \(w)] → \(f), kernel \(kernel) stride \(stride) padding \(padding) dilation \(dilation)"
            assertSameBitsOnAnyWorkerCount(label) {
                let (x, weight, bias) = (x0.detached().requiringGrad(), w0.detached().requiringGrad(), b0.detached().requiringGrad())
                let y = conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
                backward(y, seed: 800 + UInt64(i))
                let inference = Autograd.withoutGradients {
                    conv2d(x0, weight: w0, bias: b0, stride: stride, padding: padding, dilation: dilation)
                }
                let scale = y.data.map { Swift.abs($0) }.max() ?? 1
                let worst = zip(inference.data, y.data).map { Swift.abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-5 * scale, "\(label): inference and training differ beyond rounding")
                return [y.data, x.grad!, inference.data, weight.grad!, bias.grad!]
            }
        }
    }

    func testTransposedConvolutionForwardAndBackward() {
        // Squeeze-SegNet's head: an 8×8 stride-2 kernel whose weight gradient runs on oneDNN.
        let x1 = randomTensor([9, 6, 16, 16], seed: 15), w1 = randomTensor([6, 11, 8, 8], seed: 16, std: 0.1)
        let b1 = randomTensor([11], seed: 17)
        assertSameBitsOnAnyWorkerCount("transposed conv 8x8 stride 2") {
            let (x, w, b) = (x1.detached().requiringGrad(), w1.detached().requiringGrad(), b1.detached().requiringGrad())
            let y = convTranspose2d(x, weight: w, bias: b, stride: Size2(2), padding: Size2(3))
            backward(y, seed: 18)
            return [y.data, x.grad!, w.grad!, b.grad!]
        }
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
