@testable import AssayTensor
import XCTest

/// The batch norm's sums run eight channels at a time in SIMD lanes; each lane must give
/// the bits of the plain per-channel loop (the formula in `BatchNorm.swift`'s header, summed
/// in the order documented there), for channel counts that leave lanes and scalar tails.
final class BatchNormTests: XCTestCase {
    /// The per-channel loops the SIMD lanes replace: batch statistics, running statistics,
    /// output and all three gradients, for training mode.
    static func reference(_ x: Tensor, gamma: [Float], beta: [Float], dy: [Float],
                          momentum: Float = 0.1, epsilon: Float = 1e-5) -> [[Float]] {
        let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let m = n * plane
        var mean = [Float](repeating: 0, count: c), invStd = mean, rm = mean, rv = [Float](repeating: 1, count: c)
        var y = [Float](repeating: 0, count: x.count), dx = y, dGamma = mean, dBeta = mean
        x.data.withUnsafeBufferPointer { xb in
            for ch in 0..<c {
                var total = 0.0
                for img in 0..<n { total += Double(laneSum(xb.baseAddress! + (img * c + ch) * plane, plane)) }
                let mu = total / Double(m)
                var squares = 0.0
                for img in 0..<n {
                    var acc: Float = 0
                    for i in 0..<plane { let d = xb[(img * c + ch) * plane + i] - Float(mu); acc += d * d }
                    squares += Double(acc)
                }
                mean[ch] = Float(mu)
                invStd[ch] = Float(1 / (squares / Double(m) + Double(epsilon)).squareRoot())
                rm[ch] = (1 - momentum) * rm[ch] + momentum * Float(mu)
                rv[ch] = (1 - momentum) * rv[ch] + momentum * Float(squares / Double(m - 1))
            }
        }
        for r in 0..<(n * c) {
            let ch = r % c, scale = invStd[ch] * gamma[ch], shift = beta[ch] - mean[ch] * scale
            for i in 0..<plane { y[r * plane + i] = x.data[r * plane + i] * scale + shift }
        }
        for ch in 0..<c {
            var a: Float = 0, b: Float = 0
            for img in 0..<n {
                for i in 0..<plane {
                    let j = (img * c + ch) * plane + i
                    a += dy[j]
                    b += dy[j] * (x.data[j] - mean[ch]) * invStd[ch]
                }
            }
            dBeta[ch] = a
            dGamma[ch] = b
        }
        for r in 0..<(n * c) {
            let ch = r % c, k = gamma[ch] * invStd[ch]
            let meanG = dBeta[ch] / Float(m), meanGX = dGamma[ch] / Float(m)
            for i in 0..<plane {
                let j = r * plane + i
                dx[j] = k * (dy[j] - meanG - (x.data[j] - mean[ch]) * invStd[ch] * meanGX)
            }
        }
        return [y, dx, dGamma, dBeta, rm, rv]
    }

    func testTrainingEqualsThePerChannelLoopsBitForBit() {
        for (c, workers) in [(8, 1), (19, 1), (19, 2), (19, 3), (27, 8)] {
            let x0 = randomTensor([3, c, 5, 7], seed: UInt64(c), std: 2)
            let gamma = randomTensor([c], seed: 90).data, beta = randomTensor([c], seed: 91).data
            let dy = randomTensor(x0.shape, seed: 92).data
            let expected = Self.reference(x0, gamma: gamma, beta: beta, dy: dy)
            let got: [[Float]] = TensorThreads.withWorkers(workers) {
                let x = x0.detached().requiringGrad()
                let (g, b) = (Tensor(gamma, shape: [c]).requiringGrad(), Tensor(beta, shape: [c]).requiringGrad())
                let (rm, rv) = (Tensor.zeros([c]), Tensor.ones([c]))
                let y = batchNorm(x, weight: g, bias: b, runningMean: rm, runningVar: rv, training: true)
                y.backward(seed: dy)
                return [y.data, x.grad!, g.grad!, b.grad!, rm.data, rv.data]
            }
            for (name, (a, b)) in zip(["y", "dx", "dγ", "dβ", "running mean", "running var"], zip(got, expected)) {
                XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(name), \(c) channels, \(workers) workers")
            }
        }
    }
}
