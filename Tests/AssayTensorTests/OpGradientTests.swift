import AssaySupport
import XCTest
@testable import AssayTensor

/// Every differentiable op, backward checked against finite differences by one helper.
final class OpGradientTests: XCTestCase {
    func testElementwiseArithmetic() {
        let a = randomTensor([2, 3], seed: 1), b = randomTensor([2, 3], seed: 2)
        checkGradients("add", inputs: [a, b]) { $0[0] + $0[1] }
        checkGradients("subtract", inputs: [a, b]) { $0[0] - $0[1] }
        checkGradients("multiply", inputs: [a, b]) { $0[0] * $0[1] }
        let positive = Tensor(b.data.map { Swift.abs($0) + 0.5 }, shape: b.shape)
        checkGradients("divide", inputs: [a, positive]) { $0[0] / $0[1] }
        checkGradients("scalar affine", inputs: [a]) { 3 * $0[0] + 1.5 - $0[0] / 4 }
        checkGradients("negate", inputs: [a]) { -$0[0] }
    }

    func testUnaryFunctions() {
        let x = separatedValues([3, 4], seed: 3)
        checkGradients("relu", inputs: [x]) { $0[0].relu() }
        checkGradients("leaky relu", inputs: [x]) { $0[0].leakyRelu(slope: 0.1) }
        checkGradients("tanh", inputs: [x]) { $0[0].tanh() }
        checkGradients("sigmoid", inputs: [x]) { $0[0].sigmoid() }
        checkGradients("exp", inputs: [x]) { $0[0].exp() }
        checkGradients("square", inputs: [x]) { $0[0].square() }
        checkGradients("abs", inputs: [x]) { $0[0].abs() }
        checkGradients("clamp", inputs: [x]) { $0[0].clamped(-1.01, 0.99) }
        let positive = Tensor(x.data.map { Swift.abs($0) + 0.5 }, shape: x.shape)
        checkGradients("log", inputs: [positive]) { $0[0].log() }
        checkGradients("sqrt", inputs: [positive]) { $0[0].sqrt() }
    }

    func testReductionsAndIndexing() {
        let x = randomTensor([2, 3, 2, 2], seed: 4)
        checkGradients("sum", inputs: [x]) { $0[0].sum() }
        checkGradients("mean", inputs: [x]) { $0[0].mean() }
        checkGradients("sum over axis 1", inputs: [x]) { $0[0].sum(axis: 1) }
        checkGradients("mean over axis 3 kept", inputs: [x]) { $0[0].mean(axis: 3, keepingAxis: true) }
        checkGradients("mean per example", inputs: [x]) { $0[0].meanPerExample() }
        checkGradients("channel", inputs: [x]) { $0[0].channel(1) }
        checkGradients("slice of batch", inputs: [x]) { $0[0].slice(axis: 0, 1..<2) }
        let m = randomTensor([3, 4], seed: 5)
        checkGradients("picking", inputs: [m]) { $0[0].picking([3, 0, 2]) }
        checkGradients("transpose", inputs: [m]) { $0[0].transposed() }
    }

    func testShapeOps() {
        let x = randomTensor([2, 3, 2, 2], seed: 6), y = randomTensor([2, 1, 2, 2], seed: 7)
        checkGradients("reshape", inputs: [x]) { $0[0].reshaped([4, -1]) }
        checkGradients("flatten", inputs: [x]) { $0[0].flattened() }
        checkGradients("channel concat", inputs: [x, y]) { Tensor.concat($0, axis: 1) }
        checkGradients("concat on axis 0", inputs: [x, randomTensor([1, 3, 2, 2], seed: 8)]) { Tensor.concat($0, axis: 0) }
        checkGradients("residual add", inputs: [x]) { ($0[0].tanh() + $0[0]) }
    }

    func testMatmulAndLinear() {
        let a = randomTensor([5, 4], seed: 10), b = randomTensor([4, 3], seed: 11)
        checkGradients("matmul", inputs: [a, b]) { matmul($0[0], $0[1]) }
        let x = randomTensor([9, 4], seed: 12), w = randomTensor([3, 4], seed: 13), bias = randomTensor([3], seed: 14)
        checkGradients("linear", inputs: [x, w, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients("linear without bias", inputs: [x, w]) { linear($0[0], weight: $0[1], bias: nil) }
    }

    func testConvolutions() {
        let x = randomTensor([3, 2, 5, 6], seed: 20)
        let w = randomTensor([4, 2, 3, 3], seed: 21, std: 0.5), b = randomTensor([4], seed: 22)
        checkGradients("conv2d 3x3 pad 1", inputs: [x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1) }
        checkGradients("conv2d stride 2", inputs: [x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }
        checkGradients("conv2d dilation 2", inputs: [x, w]) { conv2d($0[0], weight: $0[1], bias: nil, padding: 2, dilation: 2) }
        let rect = randomTensor([4, 2, 2, 3], seed: 23, std: 0.5)
        checkGradients("conv2d rectangular kernel", inputs: [x, rect]) {
            conv2d($0[0], weight: $0[1], bias: nil, stride: Size2(1, 2), padding: Size2(1, 0))
        }
        let pointwise = randomTensor([4, 2, 1, 1], seed: 24)
        checkGradients("conv2d 1x1", inputs: [x, pointwise, b]) { conv2d($0[0], weight: $0[1], bias: $0[2]) }
        // A batch of 11 small maps exercises multi-image column groups inside each worker.
        let batch = randomTensor([11, 1, 3, 3], seed: 25), w1 = randomTensor([2, 1, 2, 2], seed: 26)
        checkGradients("conv2d grouped batch", inputs: [batch, w1]) { conv2d($0[0], weight: $0[1], bias: nil) }
    }

    /// Shapes whose weight and bias gradients come from oneDNN's backward-weights (per chunk of
    /// the batch) rather than im2col + GEMM: 3×3 kernels over 6 channels onto 8×8 maps.
    func testConvolutionWeightGradientsOnOneDNN() {
        let w = randomTensor([4, 6, 3, 3], seed: 27, std: 0.3), b = randomTensor([4], seed: 28)
        let x = randomTensor([3, 6, 8, 8], seed: 29)
        let strided = randomTensor([2, 6, 15, 16], seed: 34)
        for (input, stride) in [(x, 1), (strided, 2)] {
            let geo = ConvGeometry(channels: 6, height: input.shape[2], width: input.shape[3], kernel: 3,
                                   stride: Size2(stride), padding: 1, dilation: 1)
            XCTAssertTrue(weightGradientOnOneDNN(geo), "shape \(input.shape) stride \(stride) should take oneDNN's weight gradient")
            checkGradients("conv2d on oneDNN's weight gradient, stride \(stride)", inputs: [input, w, b]) {
                conv2d($0[0], weight: $0[1], bias: $0[2], stride: Size2(stride), padding: 1)
            }
        }
        let up = randomTensor([2, 3, 8, 8], seed: 35), wt = randomTensor([3, 6, 3, 3], seed: 36, std: 0.3)
        let adjoint = ConvGeometry(channels: 6, height: 16, width: 16, kernel: 3, stride: 2, padding: 1, dilation: 1)
        XCTAssertTrue(weightGradientOnOneDNN(adjoint))
        checkGradients("convTranspose2d on oneDNN's weight gradient", inputs: [up, wt, randomTensor([6], seed: 37)]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
        }
    }

    func testTransposedConvolution() {
        let x = randomTensor([2, 3, 3, 4], seed: 30)
        let w = randomTensor([3, 2, 3, 3], seed: 31, std: 0.5), b = randomTensor([2], seed: 32)
        checkGradients("convTranspose2d stride 2", inputs: [x, w, b]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
        }
        let w2 = randomTensor([3, 2, 2, 2], seed: 33)
        checkGradients("convTranspose2d 2x2 stride 2", inputs: [x, w2, b]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2)
        }
    }

    func testPooling() {
        let x = separatedValues([2, 2, 5, 5], seed: 40)
        checkGradients("maxPool2d 2x2", inputs: [x]) { maxPool2d($0[0], kernel: 2).output }
        checkGradients("maxPool2d 3x3/2 ceil", inputs: [x]) { maxPool2d($0[0], kernel: 3, stride: 2, ceilMode: true).output }
        checkGradients("maxPool2d padded", inputs: [x]) { maxPool2d($0[0], kernel: 3, stride: 2, padding: 1).output }
        let indices = maxPool2d(x, kernel: 2).indices
        let pooled = randomTensor([2, 2, 2, 2], seed: 41)
        checkGradients("maxUnpool2d", inputs: [pooled]) { maxUnpool2d($0[0], indices: indices, outputSize: Size2(5, 5)) }
        checkGradients("avgPool2d", inputs: [x]) { avgPool2d($0[0], kernel: 2) }
        checkGradients("avgPool2d padded ceil", inputs: [x]) { avgPool2d($0[0], kernel: 3, stride: 2, padding: 1, ceilMode: true) }
        checkGradients("avgPool2d excluding pad", inputs: [x]) { avgPool2d($0[0], kernel: 3, stride: 2, padding: 1, countIncludePad: false) }
        checkGradients("adaptiveAvgPool2d", inputs: [x]) { adaptiveAvgPool2d($0[0], outputSize: Size2(3, 2)) }
        checkGradients("globalAvgPool2d", inputs: [x]) { globalAvgPool2d($0[0]) }
    }

    func testBatchNorm() {
        let x = randomTensor([3, 2, 3, 3], seed: 50, std: 2)
        let gamma = randomTensor([2], seed: 51), beta = randomTensor([2], seed: 52)
        let runningMean = Tensor.zeros([2]), runningVar = Tensor.ones([2])
        checkGradients("batchNorm train", inputs: [x, gamma, beta]) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: runningMean, runningVar: runningVar, training: true)
        }
        let stats = (Tensor([0.3, -0.2], shape: [2]), Tensor([1.5, 0.7], shape: [2]))
        checkGradients("batchNorm eval", inputs: [x, gamma, beta]) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: stats.0, runningVar: stats.1, training: false)
        }
        let features = randomTensor([5, 3], seed: 53)
        checkGradients("batchNorm on features", inputs: [features]) {
            batchNorm($0[0], weight: nil, bias: nil, runningMean: Tensor.zeros([3]), runningVar: Tensor.ones([3]), training: true)
        }
    }

    func testFusedReLUOps() {
        // The ReLU's inputs must stay well clear of its kink under the h = 1e-2 probes:
        // take the first input seed whose normalised values are all at least 0.05 from 0.
        let gamma = Tensor([1.3, -0.8], shape: [2]), beta = Tensor([0.4, 0.1], shape: [2])
        let stats = (Tensor([0.3, -0.2], shape: [2]), Tensor([1.5, 0.7], shape: [2]))
        func clearOfKink(_ x: Tensor) -> Bool {
            Autograd.withoutGradients {
                [true, false].allSatisfy { training in
                    batchNorm(x, weight: gamma, bias: beta, runningMean: training ? Tensor.zeros([2]) : stats.0,
                              runningVar: training ? Tensor.ones([2]) : stats.1, training: training).data.allSatisfy { Swift.abs($0) >= 0.05 }
                }
            }
        }
        guard let x = (54..<500).lazy.map({ randomTensor([3, 2, 3, 3], seed: UInt64($0), std: 2) }).first(where: clearOfKink) else {
            return XCTFail("no input seed keeps the batch norm's outputs clear of the ReLU's kink")
        }
        checkGradients("batchNormReLU eval", inputs: [x, gamma, beta]) {
            batchNormReLU($0[0], weight: $0[1], bias: $0[2], runningMean: stats.0, runningVar: stats.1, training: false)
        }
        checkGradients("batchNormReLU train", inputs: [x, gamma, beta]) {
            batchNormReLU($0[0], weight: $0[1], bias: $0[2], runningMean: Tensor.zeros([2]), runningVar: Tensor.ones([2]), training: true)
        }
        let a = randomTensor([2, 3, 4, 4], seed: 55), b = randomTensor([2, 3, 4, 4], seed: 56)
        for i in 0..<b.count where Swift.abs(a.data[i] + b.data[i]) < 0.05 { b.data[i] += 0.1 }
        checkGradients("addReLU", inputs: [a, b]) { addReLU($0[0], $0[1]) }
    }

    /// The fused ops are the unfused pair to the bit: values, every gradient and the running statistics.
    func testFusedReLUOpsEqualTheUnfusedPairBitForBit() {
        func bits(_ arrays: [[Float]]) -> [[UInt32]] { arrays.map { $0.map(\.bitPattern) } }
        let x0 = randomTensor([5, 4, 6, 6], seed: 57, std: 2), seed = randomTensor([5, 4, 6, 6], seed: 58).data
        let g0 = randomTensor([4], seed: 59), b0 = randomTensor([4], seed: 60)
        for training in [true, false] {
            func run(fused: Bool) -> [[Float]] {
                let (x, g, b) = (x0.detached().requiringGrad(), g0.detached().requiringGrad(), b0.detached().requiringGrad())
                let (rm, rv) = (Tensor([0.1, 0.2, -0.3, 0], shape: [4]), Tensor([1, 2, 0.5, 1], shape: [4]))
                let y = fused
                    ? batchNormReLU(x, weight: g, bias: b, runningMean: rm, runningVar: rv, training: training)
                    : batchNorm(x, weight: g, bias: b, runningMean: rm, runningVar: rv, training: training).relu()
                y.backward(seed: seed)
                return [y.data, x.grad!, g.grad!, b.grad!, rm.data, rv.data]
            }
            XCTAssertEqual(bits(run(fused: true)), bits(run(fused: false)), "batchNormReLU training \(training)")
        }
        func runAdd(fused: Bool) -> [[Float]] {
            let (a, b) = (x0.detached().requiringGrad(), randomTensor([5, 4, 6, 6], seed: 61).requiringGrad())
            let y = fused ? addReLU(a, b) : (a + b).relu()
            y.backward(seed: seed)
            return [y.data, a.grad!, b.grad!]
        }
        XCTAssertEqual(bits(runAdd(fused: true)), bits(runAdd(fused: false)), "addReLU")
    }

    func testDropoutWithFixedSeed() {
        let x = randomTensor([4, 5], seed: 60)
        checkGradients("dropout", inputs: [x]) {
            var rng = SeededRandom(seed: 61)
            return dropout($0[0], probability: 0.4, rng: &rng)
        }
    }

    func testSoftmaxFamily() {
        let logits = randomTensor([3, 4], seed: 70, std: 2)
        checkGradients("softmax", inputs: [logits]) { $0[0].softmax() }
        checkGradients("logSoftmax", inputs: [logits]) { $0[0].logSoftmax() }
        let maps = randomTensor([2, 3, 2, 2], seed: 71)
        checkGradients("softmax per pixel", inputs: [maps]) { $0[0].softmax(axis: 1) }
        checkGradients("logSoftmax per pixel", inputs: [maps]) { $0[0].logSoftmax(axis: 1) }
    }

    func testLosses() {
        let logits = randomTensor([4, 3], seed: 80, std: 2)
        checkGradients("cross-entropy", inputs: [logits]) { crossEntropy($0[0], targets: [2, 0, 1, 1]) }
        checkGradients("cross-entropy weighted with ignore", inputs: [logits]) {
            crossEntropy($0[0], targets: [2, -1, 1, 0], classWeights: [0.5, 2, 1], ignoreIndex: -1)
        }
        checkGradients("cross-entropy per sample", inputs: [logits]) {
            crossEntropy($0[0], targets: [2, 0, 1, 1], classWeights: [1, 3, 0.5], reduction: .none)
        }
        let pixels = randomTensor([2, 3, 2, 3], seed: 81)
        let labels = [0, 1, 2, 255, 1, 0, 2, 2, 1, 0, 255, 1]
        checkGradients("cross-entropy per pixel", inputs: [pixels]) {
            crossEntropy($0[0], targets: labels, classWeights: [1, 2, 0.5], ignoreIndex: 255)
        }
        checkGradients("cross-entropy per pixel sum", inputs: [pixels]) {
            crossEntropy($0[0], targets: labels, ignoreIndex: 255, reduction: .sum)
        }
        let teacher = randomTensor([4, 3], seed: 82, std: 2)
        checkGradients("distillation", inputs: [logits]) { distillationLoss(student: $0[0], teacher: teacher, temperature: 2) }
        let target = teacher.softmax().detached()
        checkGradients("kl divergence", inputs: [logits]) { klDivergence(logProbabilities: $0[0].logSoftmax(), target: target) }
        let other = randomTensor([4, 3], seed: 83)
        checkGradients("mse", inputs: [logits, other]) { mseLoss($0[0], $0[1]) }
    }

    func testPenalties() {
        let x = separatedValues([1, 2, 4, 4], seed: 90)
        checkGradients("l1", inputs: [x]) { $0[0].l1Norm() }
        checkGradients("squared l2", inputs: [x]) { $0[0].squaredL2Norm() }
        checkGradients("total variation squared", inputs: [x]) { $0[0].totalVariation(squared: true) }
        // Neighbour differences of separated values stay away from 0, where |·| has its kink.
        checkGradients("total variation", inputs: [x]) { $0[0].totalVariation() }
    }

    func testInputTransforms() {
        let x = randomTensor([1, 2, 5, 6], seed: 100)
        checkGradients("roll", inputs: [x]) { $0[0].rolled(dy: 2, dx: -1) }
        checkGradients("jitter", inputs: [x]) {
            var rng = SeededRandom(seed: 101)
            return $0[0].jittered(maxShift: 2, rng: &rng)
        }
        checkGradients("channel normalisation", inputs: [x]) { $0[0].channelAffine(scale: [2, -0.5], shift: [0.1, 3]) }
        checkGradients("scale and rotate", inputs: [x]) { $0[0].affineResampled(scale: 1.1, rotation: 0.2, translation: (0.3, -0.4)) }
    }
}

/// The checker itself must catch wrong backward rules.
final class GradientCheckerTests: XCTestCase {
    func testCheckerRejectsWrongDerivativeFactor() {
        let x = randomTensor([3, 3], seed: 1)
        let problems = gradientMismatches("wrong square", inputs: [x]) {
            $0[0].unary({ $0 * $0 }, derivative: { x, _ in x })  // true derivative is 2x
        }
        XCTAssertFalse(problems.isEmpty)
    }

    func testCheckerRejectsMissingGradient() {
        let x = randomTensor([2, 2], seed: 2)
        let problems = gradientMismatches("detached", inputs: [x]) { $0[0].detached().square() + $0[0] }
        XCTAssertFalse(problems.isEmpty)
    }

    func testCheckerAcceptsCorrectDerivative() {
        let x = randomTensor([3, 3], seed: 3)
        XCTAssertTrue(gradientMismatches("square", inputs: [x]) { $0[0].square() }.isEmpty)
    }
}
