import XCTest
@testable import AssayTensor

/// Hand-computed max-pool indices, unpooling and average pooling.
final class PoolingIndexTests: XCTestCase {
    // 4x4 plane:
    //  1  5  2  0
    //  3  4  8  6
    //  9  0  1  2
    //  7  3  4 11
    let plane: [Float] = [1, 5, 2, 0, 3, 4, 8, 6, 9, 0, 1, 2, 7, 3, 4, 11]

    func testMaxPoolRecordsFlatArgmaxPerWindow() {
        let (y, idx) = maxPool2d(Tensor(plane, shape: [1, 1, 4, 4]), kernel: 2)
        XCTAssertEqual(y.data, [5, 8, 9, 11])
        XCTAssertEqual(idx.values, [1, 6, 8, 15])
        XCTAssertEqual(idx.inputSize, Size2(4, 4))
    }

    func testMaxPoolGradientGoesToArgmaxOnly() {
        let x = Tensor(plane, shape: [1, 1, 4, 4]).requiringGrad()
        maxPool2d(x, kernel: 2).output.sum().backward()
        var expected = [Float](repeating: 0, count: 16)
        for i in [1, 6, 8, 15] { expected[i] = 1 }
        XCTAssertEqual(x.grad, expected)
    }

    func testOverlappingCeilModeWindowsOn5x5() {
        // 3x3 stride 2 ceil mode on 5x5 → 2x2 (PyTorch gives 2x2 here too).
        let values = (0..<25).map { Float(($0 * 7) % 25) }
        let (y, idx) = maxPool2d(Tensor(values, shape: [1, 1, 5, 5]), kernel: 3, stride: 2, ceilMode: true)
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        for (o, i) in idx.values.enumerated() { XCTAssertEqual(y.data[o], values[Int(i)]) }
        // The window at (0, 0) covers rows 0-2 and columns 0-2.
        let window00 = [0, 1, 2, 5, 6, 7, 10, 11, 12]
        let best = window00.max { values[$0] < values[$1] }!
        XCTAssertEqual(Int(idx.values[0]), best)
    }

    func testCeilModeAddsPartialWindow() {
        let x = Tensor.ones([1, 1, 5, 5])
        XCTAssertEqual(maxPool2d(x, kernel: 2, ceilMode: false).output.shape, [1, 1, 2, 2])
        XCTAssertEqual(maxPool2d(x, kernel: 2, ceilMode: true).output.shape, [1, 1, 3, 3])
    }

    func testUnpoolRestoresValuesAtRecordedPositions() {
        let (y, idx) = maxPool2d(Tensor(plane, shape: [1, 1, 4, 4]), kernel: 2)
        let restored = maxUnpool2d(y, indices: idx)
        XCTAssertEqual(restored.data, [0, 5, 0, 0, 0, 0, 8, 0, 9, 0, 0, 0, 0, 0, 0, 11])
    }

    func testUnpoolGradientGathersFromRecordedPositions() {
        let (_, idx) = maxPool2d(Tensor(plane, shape: [1, 1, 4, 4]), kernel: 2)
        let pooled = Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2]).requiringGrad()
        let weights = Tensor((0..<16).map(Float.init), shape: [1, 1, 4, 4])
        (maxUnpool2d(pooled, indices: idx) * weights).sum().backward()
        XCTAssertEqual(pooled.grad, [1, 6, 8, 15])
    }

    /// Overlapping 3x3/2 windows on a 5x5 plane whose maximum sits in the centre: all four
    /// windows record position 12. The last writer's value lands there, and only it gets the
    /// gradient (a plain gather would hand dy[12] to all four, which is not the derivative).
    func testUnpoolWithRepeatedIndicesSendsTheGradientOnlyToTheWrittenValue() {
        var values = [Float](repeating: 0, count: 25)
        for i in 0..<25 { values[i] = Float(i % 7) * 0.01 }
        values[12] = 10
        let (_, idx) = maxPool2d(Tensor(values, shape: [1, 1, 5, 5]), kernel: 3, stride: 2)
        XCTAssertEqual(idx.values, [12, 12, 12, 12])
        let pooled = Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2]).requiringGrad()
        let restored = maxUnpool2d(pooled, indices: idx)
        XCTAssertEqual(restored.data[12], 4)
        XCTAssertEqual(restored.data.reduce(0, +), 4)
        let weights = Tensor((0..<25).map { Float($0) }, shape: [1, 1, 5, 5])
        (restored * weights).sum().backward()
        XCTAssertEqual(pooled.grad, [0, 0, 0, 12])
    }

    /// Finite differences through pool → unpool with overlapping windows on generic data.
    func testUnpoolAfterOverlappingPoolMatchesFiniteDifferences() {
        let x = separatedValues([2, 3, 7, 7], seed: 45)
        let indices = maxPool2d(x, kernel: 3, stride: 2, ceilMode: true).indices
        XCTAssertLessThan(Set(indices.values.enumerated().map { [$0.offset / 9, Int($0.element)] }).count, indices.values.count,
                          "the fixture must repeat indices")
        let pooled = randomTensor(indices.shape, seed: 46)
        checkGradients("maxUnpool2d repeated indices", inputs: [pooled]) { maxUnpool2d($0[0], indices: indices) }
    }

    func testTiesPickTheFirstMaximumInWindowOrder() {
        let (_, idx) = maxPool2d(Tensor([2, 2, 2, 2], shape: [1, 1, 2, 2]), kernel: 2)
        XCTAssertEqual(idx.values, [0])
    }

    func testAveragePoolingWithAndWithoutPaddingInTheDivisor() {
        let x = Tensor(plane, shape: [1, 1, 4, 4])
        XCTAssertEqual(avgPool2d(x, kernel: 2).data, [3.25, 4, 4.75, 4.5])
        // 3x3 windows, stride 2, padding 1: corner window sees 4 real pixels.
        let included = avgPool2d(x, kernel: 3, stride: 2, padding: 1)
        let excluded = avgPool2d(x, kernel: 3, stride: 2, padding: 1, countIncludePad: false)
        XCTAssertEqual(included.data[0], (1 + 5 + 3 + 4) / 9, accuracy: 1e-6)
        XCTAssertEqual(excluded.data[0], (1 + 5 + 3 + 4) / 4, accuracy: 1e-6)
    }

    func testAdaptivePoolingUsesPyTorchBins() {
        // 5 columns into 3 bins: [0,2), [1,4), [3,5).
        let x = Tensor([1, 2, 3, 4, 5], shape: [1, 1, 1, 5])
        XCTAssertEqual(adaptiveAvgPool2d(x, outputSize: Size2(1, 3)).data, [1.5, 3, 4.5])
        XCTAssertEqual(globalAvgPool2d(x).data, [3])
    }

    /// The pooled value and index by the definition: scan the window's in-image taps in
    /// row-major order, a tap replaces the best unless it is ≤ it (so NaN replaces).
    static func naiveMaxPool(_ x: Tensor, kernel k: Int, stride s: Int, padding p: Int, ceil: Bool) -> (values: [Float], indices: [Int32]) {
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let oh = pooledExtent(h, kernel: k, stride: s, padding: p, ceilMode: ceil), ow = pooledExtent(w, kernel: k, stride: s, padding: p, ceilMode: ceil)
        var values: [Float] = [], indices: [Int32] = []
        for plane in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var best: Float? = nil, bestIndex = 0
                    for iy in (oy * s - p)..<(oy * s - p + k) where iy >= 0 && iy < h {
                        for ix in (ox * s - p)..<(ox * s - p + k) where ix >= 0 && ix < w {
                            let v = x.data[plane * h * w + iy * w + ix]
                            if best.map({ !(v <= $0) }) ?? true { best = v; bestIndex = iy * w + ix }
                        }
                    }
                    values.append(best!)
                    indices.append(Int32(bestIndex))
                }
            }
        }
        return (values, indices)
    }

    /// 3x3 windows take a fast path inside the image; edges, padding, ceil mode, ties
    /// (values on a coarse grid) and NaNs must still match the definition bit for bit.
    func testThreeByThreeWindowsMatchTheDefinition() {
        var values = randomTensor([2, 3, 11, 13], seed: 95, std: 2).data.map { ($0 * 2).rounded() }
        for i in stride(from: 5, to: values.count, by: 17) { values[i] = .nan }
        let x = Tensor(values, shape: [2, 3, 11, 13])
        for (stride, padding, ceil) in [(1, 0, false), (2, 0, false), (2, 1, false), (2, 0, true), (3, 1, true)] {
            let (y, idx) = maxPool2d(x, kernel: Size2(3), stride: Size2(stride), padding: Size2(padding), ceilMode: ceil)
            let expected = Self.naiveMaxPool(x, kernel: 3, stride: stride, padding: padding, ceil: ceil)
            let label = "stride \(stride) padding \(padding) ceil \(ceil)"
            XCTAssertEqual(y.data.map(\.bitPattern), expected.values.map(\.bitPattern), label)
            XCTAssertEqual(idx.values, expected.indices, label)
        }
    }
}
