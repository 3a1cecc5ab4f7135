import AssaySupport
import XCTest
@testable import AssayTensor

/// Forward values and input gradients of the convolutions against direct loops in Double.
final class ConvolutionForwardTests: XCTestCase {
    func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Size2, padding: Size2, dilation: Size2) -> [Double] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (f, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (h + 2 * padding.h - dilation.h * (kh - 1) - 1) / stride.h + 1
        let ow = (wd + 2 * padding.w - dilation.w * (kw - 1) - 1) / stride.w + 1
        var out = [Double](repeating: 0, count: n * f * oh * ow)
        for img in 0..<n { for o in 0..<f { for oy in 0..<oh { for ox in 0..<ow {
            var acc = Double(b?.data[o] ?? 0)
            for ch in 0..<c { for i in 0..<kh { for j in 0..<kw {
                let iy = oy * stride.h - padding.h + i * dilation.h, ix = ox * stride.w - padding.w + j * dilation.w
                if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
                acc += Double(x.data[((img * c + ch) * h + iy) * wd + ix]) * Double(w.data[((o * c + ch) * kh + i) * kw + j])
            } } }
            out[((img * f + o) * oh + oy) * ow + ox] = acc
        } } } }
        return out
    }

    func assertClose(_ a: [Float], _ b: [Double], tolerance: Double = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        let worst = zip(a, b).map { Swift.abs(Double($0) - $1) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, file: file, line: line)
    }

    func testConv2dMatchesDirectLoopsAcrossGeometries() {
        let x = randomTensor([7, 3, 9, 8], seed: 1)
        for (k, s, p, d) in [(3, 1, 1, 1), (3, 2, 1, 1), (5, 1, 2, 2), (1, 1, 0, 1), (1, 2, 0, 1), (7, 2, 3, 1)] {
            let w = randomTensor([4, 3, k, k], seed: UInt64(k * 10 + s)), b = randomTensor([4], seed: 3)
            let y = conv2d(x, weight: w, bias: b, stride: Size2(s), padding: Size2(p), dilation: Size2(d))
            assertClose(y.data, naiveConv(x, w, b, stride: Size2(s), padding: Size2(p), dilation: Size2(d)))
        }
    }

    /// Benchmarks state throughput from GEMMCounter: a oneDNN convolution counts the
    /// 2·filters·patch·pixels of the GEMM it replaces (7 images · 4 filters · 27 taps · 9·8 pixels · 2).
    func testConvolutionFlopsAreCounted() {
        let x = randomTensor([7, 3, 9, 8], seed: 1), w = randomTensor([4, 3, 3, 3], seed: 2)
        let flops = GEMMCounter.counting { _ = conv2d(x, weight: w, bias: nil, stride: Size2(1), padding: Size2(1), dilation: Size2(1)) }
        XCTAssertEqual(flops, 2 * 7 * 4 * 27 * 72)
    }

    /// dx[n, c, iy, ix] = Σ dy[n, f, oy, ox] · w[f, c, i, j] over the taps that read x[n, c, iy, ix].
    func naiveInputGradient(_ dy: Tensor, _ w: Tensor, inputShape: [Int], stride: Size2, padding: Size2, dilation: Size2) -> [Double] {
        let (n, c, h, wd) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (f, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let (oh, ow) = (dy.shape[2], dy.shape[3])
        var dx = [Double](repeating: 0, count: n * c * h * wd)
        for img in 0..<n { for o in 0..<f { for oy in 0..<oh { for ox in 0..<ow {
            let g = Double(dy.data[((img * f + o) * oh + oy) * ow + ox])
            for ch in 0..<c { for i in 0..<kh { for j in 0..<kw {
                let iy = oy * stride.h - padding.h + i * dilation.h, ix = ox * stride.w - padding.w + j * dilation.w
                if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
                dx[((img * c + ch) * h + iy) * wd + ix] += g * Double(w.data[((o * c + ch) * kh + i) * kw + j])
            } } }
        } } } }
        return dx
    }

    func testConv2dInputGradientMatchesDirectLoopsAcrossGeometries() {
        let x0 = randomTensor([3, 5, 11, 9], seed: 21)
        for (k, s, p, d) in [(3, 1, 1, 1), (3, 2, 1, 1), (5, 1, 2, 2), (1, 1, 0, 1), (1, 2, 0, 1), (7, 3, 3, 1), (2, 2, 0, 1)] {
            let w = randomTensor([6, 5, k, k], seed: UInt64(k * 10 + s + 100))
            let x = x0.detached().requiringGrad()
            let y = conv2d(x, weight: w, bias: nil, stride: Size2(s), padding: Size2(p), dilation: Size2(d))
            let dy = randomTensor(y.shape, seed: 22)
            y.backward(seed: dy.data)
            assertClose(x.grad!, naiveInputGradient(dy, w, inputShape: x.shape, stride: Size2(s), padding: Size2(p), dilation: Size2(d)))
        }
    }

    /// Largest |a − b| over the largest |b|: a wrong tap, padding or chunk gives O(1), rounding ~1e-7.
    func relativeError(_ a: [Float], _ b: [Double]) -> Double {
        let scale = b.map { Swift.abs($0) }.max() ?? 0
        return (zip(a, b).map { Swift.abs(Double($0) - $1) }.max() ?? 0) / max(scale, 1e-30)
    }

    /// The layer geometries of the networks SpecNetworkGradientTests checks (Squeeze-SegNet at
    /// width 0.25 with and without batch norm and the 8×8 head, SegNet at width 0.0625, 32×32
    /// input): oneDNN's forward (training and inference primitives) and input gradient against
    /// direct loops in Double, on the batch of 2 that test runs (chunks of one image) and on 16
    /// (chunks of two), so every primitive those networks create is compared value by value.
    func testOneDNNMatchesDirectLoopsOnTheSegmentationNetworksLayerShapes() {
        // (input channels, height = width, filters, kernel, stride, padding)
        let layers = [(1, 32, 24, 7, 2, 3), (1, 32, 4, 3, 1, 1), (4, 32, 11, 3, 1, 1), (4, 32, 4, 3, 1, 1),
                      (8, 16, 8, 3, 1, 1), (4, 16, 8, 3, 1, 1), (24, 8, 4, 1, 1, 0), (4, 8, 16, 1, 1, 0),
                      (4, 8, 16, 3, 1, 1), (32, 8, 4, 3, 1, 1), (16, 8, 16, 3, 1, 1), (64, 8, 8, 3, 1, 1),
                      (96, 4, 12, 1, 1, 0), (12, 4, 48, 3, 1, 1), (128, 4, 16, 3, 1, 1), (16, 4, 64, 1, 1, 0),
                      (128, 2, 128, 1, 1, 0), (128, 2, 16, 3, 1, 1), (32, 2, 32, 3, 1, 1), (16, 2, 64, 3, 1, 1)]
        for batch in [2, 16] {
            for (index, (c, size, f, k, s, p)) in layers.enumerated() {
                let seed = UInt64(100 * batch + index)
                let (stride, padding) = (Size2(s), Size2(p))
                let x = randomTensor([batch, c, size, size], seed: seed), w = randomTensor([f, c, k, k], seed: seed + 1)
                let b = randomTensor([f], seed: seed + 2)
                let expected = naiveConv(x, w, b, stride: stride, padding: padding, dilation: Size2(1))
                let inference = Autograd.withoutGradients { conv2d(x, weight: w, bias: b, stride: stride, padding: padding) }
                XCTAssertLessThan(relativeError(inference.data, expected), 1e-5, "inference, batch \(batch), layer \(layers[index])")
                let xx = x.detached().requiringGrad()
                let training = conv2d(xx, weight: w, bias: b, stride: stride, padding: padding)
                XCTAssertLessThan(relativeError(training.data, expected), 1e-5, "training, batch \(batch), layer \(layers[index])")
                let dy = randomTensor(training.shape, seed: seed + 3)
                training.backward(seed: dy.data)
                let dx = naiveInputGradient(dy, w, inputShape: x.shape, stride: stride, padding: padding, dilation: Size2(1))
                XCTAssertLessThan(relativeError(xx.grad!, dx), 1e-5, "input gradient, batch \(batch), layer \(layers[index])")
            }
            // Squeeze-SegNet's transposed-convolution heads: 2×2 and 8×8 (padding 3), stride 2, 11 classes from 24 channels.
            for (k, p) in [(2, 0), (8, 3)] {
                let seed = UInt64(1000 * batch + k)
                let x = randomTensor([batch, 24, 16, 16], seed: seed), w = randomTensor([24, 11, k, k], seed: seed + 1)
                let xx = x.detached().requiringGrad()
                let y = convTranspose2d(xx, weight: w, bias: nil, stride: 2, padding: Size2(p))
                XCTAssertEqual(y.shape, [batch, 11, 32, 32])
                // Its forward is the input gradient of the convolution from y's grid to x's, and its input gradient that convolution.
                let expected = naiveInputGradient(x, w, inputShape: y.shape, stride: 2, padding: Size2(p), dilation: Size2(1))
                XCTAssertLessThan(relativeError(y.data, expected), 1e-5, "transposed \(k)x\(k) forward, batch \(batch)")
                let dy = randomTensor(y.shape, seed: seed + 2)
                y.backward(seed: dy.data)
                let dx = naiveConv(dy, w, nil, stride: 2, padding: Size2(p), dilation: Size2(1))
                XCTAssertLessThan(relativeError(xx.grad!, dx), 1e-5, "transposed \(k)x\(k) input gradient, batch \(batch)")
            }
        }
    }

    func testTransposedConvIsTheAdjointOfConv() {
        // <conv(x), y> = <x, convT(y)> for the same weight (bias-free).
        let x = randomTensor([2, 3, 7, 7], seed: 5), w = randomTensor([4, 3, 3, 3], seed: 6)
        let y = conv2d(x, weight: w, bias: nil, stride: 2, padding: 1)
        let probe = randomTensor(y.shape, seed: 7)
        let back = convTranspose2d(probe, weight: w, bias: nil, stride: 2, padding: 1)
        XCTAssertEqual(back.shape, x.shape)
        let lhs = zip(y.data, probe.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x.data, back.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-3 * max(1, Swift.abs(lhs)))
    }

    func testTransposedConvOutputShapeAndBias() {
        let x = Tensor.ones([1, 1, 2, 2])
        let w = Tensor.ones([1, 1, 2, 2])
        let y = convTranspose2d(x, weight: w, bias: Tensor([0.5], shape: [1]), stride: 2)
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        XCTAssertEqual(y.data, [Float](repeating: 1.5, count: 16))
    }

    func testResultsAreIdenticalAcrossRunsWithTwoWorkers() {
        let x = randomTensor([16, 4, 12, 12], seed: 8), w = randomTensor([8, 4, 3, 3], seed: 9)
        func run() -> ([Float], [Float]) {
            let xx = x.detached().requiringGrad(), ww = w.detached().requiringGrad()
            conv2d(xx, weight: ww, bias: nil, padding: 1).square().sum().backward()
            return (xx.grad!, ww.grad!)
        }
        let first = run(), second = run()
        XCTAssertEqual(first.0, second.0)
        XCTAssertEqual(first.1, second.1)
    }

    func testOneAndTwoWorkersGiveIdenticalWeightGradients() {
        let x = randomTensor([10, 2, 6, 6], seed: 10), w = randomTensor([3, 2, 3, 3], seed: 11)
        func gradient(threads: Int) -> [Float] {
            TensorThreads.withWorkers(threads) {
                let ww = w.detached().requiringGrad()
                conv2d(x, weight: ww, bias: nil, padding: 1).sum().backward()
                return ww.grad!
            }
        }
        XCTAssertEqual(gradient(threads: 1), gradient(threads: 2))
    }
}
