import AssayNN
import AssaySupport
import Foundation
import XCTest

final class OptimizerTests: XCTestCase {
    /// L(θ) = Σ (θ − 3)², gradient 2(θ − 3).
    func minimise(_ make: ([Tensor]) -> Optimizer, steps: Int) -> Float {
        let theta = Tensor([0, 10], shape: [2]).requiringGrad()
        let optimizer = make([theta])
        for _ in 0..<steps {
            optimizer.zeroGrad()
            (theta - 3).square().sum().backward()
            optimizer.step()
        }
        return theta.data.map { Swift.abs($0 - 3) }.max()!
    }

    func testEveryOptimiserConvergesOnAQuadratic() {
        XCTAssertLessThan(minimise({ SGD($0, learningRate: 0.1) }, steps: 100), 1e-3)
        XCTAssertLessThan(minimise({ SGD($0, learningRate: 0.05, momentum: 0.9) }, steps: 300), 1e-3)
        XCTAssertLessThan(minimise({ SGD($0, learningRate: 0.05, momentum: 0.9, nesterov: true) }, steps: 300), 1e-3)
        XCTAssertLessThan(minimise({ Adam($0, learningRate: 0.1) }, steps: 500), 1e-2)
        XCTAssertLessThan(minimise({ AdamW($0, learningRate: 0.1, weightDecay: 0) }, steps: 500), 1e-2)
    }

    func testSGDMomentumAndWeightDecayMatchHandComputedSteps() {
        let theta = Tensor([1], shape: [1]).requiringGrad()
        let sgd = SGD([theta], learningRate: 0.1, momentum: 0.5, weightDecay: 0.1)
        theta.grad = [2]; sgd.step()     // g = 2 + 0.1 = 2.1, v = 2.1, θ = 1 − 0.21 = 0.79
        XCTAssertEqual(theta.data[0], 0.79, accuracy: 1e-6)
        theta.grad = [2]; sgd.step()     // g = 2.079, v = 1.05 + 2.079 = 3.129, θ = 0.79 − 0.3129
        XCTAssertEqual(theta.data[0], 0.4771, accuracy: 1e-6)
    }

    func testAdamFirstStepMovesByTheLearningRate() {
        let theta = Tensor([1, -1], shape: [2]).requiringGrad()
        let adam = Adam([theta], learningRate: 0.01)
        theta.grad = [5, -0.001]
        adam.step()   // bias-corrected m/√v = sign(g) on the first step
        XCTAssertEqual(theta.data[0], 0.99, accuracy: 1e-5)
        XCTAssertEqual(theta.data[1], -0.99, accuracy: 1e-4)
    }

    func testAdamWDecaysWeightsIndependentlyOfTheGradient() {
        let theta = Tensor([2], shape: [1]).requiringGrad()
        let adamw = AdamW([theta], learningRate: 0.1, weightDecay: 0.5)
        theta.grad = [0]
        adamw.step()  // θ ← θ − 0.1·0.5·θ = 1.9; the Adam term is 0
        XCTAssertEqual(theta.data[0], 1.9, accuracy: 1e-6)
    }

    func testFrozenParametersAreNotUpdated() {
        let frozen = Tensor([1], shape: [1])
        frozen.grad = [1]
        SGD([frozen], learningRate: 1).step()
        XCTAssertEqual(frozen.data, [1])
    }

    func testGradientClippingRescalesToTheMaximumNorm() {
        let a = Tensor([0, 0], shape: [2]), b = Tensor([0], shape: [1])
        a.grad = [3, 0]
        b.grad = [4]
        XCTAssertEqual(clipGradientNorm([a, b], maxNorm: 1), 5, accuracy: 1e-6)
        XCTAssertEqual(a.grad![0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(b.grad![0], 0.8, accuracy: 1e-6)
        XCTAssertEqual(clipGradientNorm([a, b], maxNorm: 10), 1, accuracy: 1e-6)
        XCTAssertEqual(a.grad![0], 0.6, accuracy: 1e-6)
    }

    func testSchedules() {
        let step = StepSchedule(base: 0.1, stepSize: 10, gamma: 0.5)
        XCTAssertEqual(step.learningRate(at: 9), 0.1, accuracy: 1e-7)
        XCTAssertEqual(step.learningRate(at: 10), 0.05, accuracy: 1e-7)
        XCTAssertEqual(step.learningRate(at: 25), 0.025, accuracy: 1e-7)
        let cosine = CosineSchedule(base: 1, totalSteps: 100, minimum: 0.1)
        XCTAssertEqual(cosine.learningRate(at: 0), 1, accuracy: 1e-6)
        XCTAssertEqual(cosine.learningRate(at: 50), 0.55, accuracy: 1e-6)
        XCTAssertEqual(cosine.learningRate(at: 100), 0.1, accuracy: 1e-6)
        XCTAssertEqual(cosine.learningRate(at: 150), 0.1, accuracy: 1e-6)
        XCTAssertEqual(CosineSchedule(base: 1, totalSteps: 10, warmupSteps: 4).learningRate(at: 1), 0.5, accuracy: 1e-6)
    }
}

/// The optimisers update in SIMD blocks over worker slices; every element must still get
/// exactly the scalar formula's bits, whatever the worker count and wherever a block ends.
final class OptimizerBitExactnessTests: XCTestCase {
    /// Sizes: a tail-only parameter, one that is not a multiple of 8, one large enough to be sliced.
    static let sizes = [5, 1_003, 100_003]

    static func gradients(_ size: Int, step: Int) -> [Float] {
        var rng = SeededRandom(seed: UInt64(1_000 + size + step))
        return Tensor.normal([size], rng: &rng).data
    }

    static func start(_ size: Int) -> [Float] {
        var rng = SeededRandom(seed: UInt64(size))
        return Tensor.normal([size], rng: &rng).data
    }

    /// Three steps of `make`'s optimiser on `workers` workers; the parameters' bits after each.
    static func run(_ make: ([Tensor]) -> Optimizer, workers: Int) -> [[UInt32]] {
        let parameters = sizes.map { Tensor(start($0), shape: [$0]).requiringGrad() }
        let optimizer = make(parameters)
        var trace: [[UInt32]] = []
        TensorThreads.withWorkers(workers) {
            for step in 0..<3 {
                for p in parameters { p.grad = gradients(p.count, step: step) }
                optimizer.step()
                trace += parameters.map { $0.data.map(\.bitPattern) }
            }
        }
        return trace
    }

    /// PyTorch's Adam, one element at a time (the formula `Adam.step` documents).
    static func scalarAdam(decoupled: Bool, lr: Float, wd: Float) -> [[UInt32]] {
        let (b1, b2, eps): (Float, Float, Float) = (0.9, 0.999, 1e-8)
        var thetas = sizes.map(start), ms = sizes.map { [Float](repeating: 0, count: $0) }, vs = ms
        var trace: [[UInt32]] = []
        for step in 0..<3 {
            let t = Float(step + 1), c1 = 1 - powf(b1, t), c2 = 1 - powf(b2, t)
            for (k, size) in sizes.enumerated() {
                let grad = gradients(size, step: step)
                for j in 0..<size {
                    var g = grad[j]
                    if decoupled { thetas[k][j] -= lr * wd * thetas[k][j] } else { g += wd * thetas[k][j] }
                    ms[k][j] = b1 * ms[k][j] + (1 - b1) * g
                    vs[k][j] = b2 * vs[k][j] + (1 - b2) * g * g
                    thetas[k][j] -= lr * (ms[k][j] / c1) / ((vs[k][j] / c2).squareRoot() + eps)
                }
            }
            trace += thetas.map { $0.map(\.bitPattern) }
        }
        return trace
    }

    /// PyTorch's SGD, one element at a time.
    static func scalarSGD(lr: Float, mu: Float, wd: Float, nesterov: Bool) -> [[UInt32]] {
        var thetas = sizes.map(start), velocities = sizes.map { [Float](repeating: 0, count: $0) }
        var trace: [[UInt32]] = []
        for step in 0..<3 {
            for (k, size) in sizes.enumerated() {
                let grad = gradients(size, step: step)
                for j in 0..<size {
                    var g = grad[j] + wd * thetas[k][j]
                    if mu != 0 {
                        velocities[k][j] = step == 0 ? g : mu * velocities[k][j] + g
                        g = nesterov ? g + mu * velocities[k][j] : velocities[k][j]
                    }
                    thetas[k][j] -= lr * g
                }
            }
            trace += thetas.map { $0.map(\.bitPattern) }
        }
        return trace
    }

    func testAdamAndAdamWEqualTheScalarFormulaOnAnyWorkerCount() {
        let adam = Self.scalarAdam(decoupled: false, lr: 1e-3, wd: 1e-2)
        let adamw = Self.scalarAdam(decoupled: true, lr: 1e-3, wd: 1e-2)
        for workers in [1, 2, 3, 8] {
            XCTAssertEqual(Self.run({ Adam($0, learningRate: 1e-3, weightDecay: 1e-2) }, workers: workers), adam, "Adam, \(workers) workers")
            XCTAssertEqual(Self.run({ AdamW($0, learningRate: 1e-3, weightDecay: 1e-2) }, workers: workers), adamw, "AdamW, \(workers) workers")
        }
    }

    func testSGDEqualsTheScalarFormulaOnAnyWorkerCount() {
        for (mu, nesterov) in [(Float(0), false), (0.9, false), (0.9, true)] {
            let reference = Self.scalarSGD(lr: 0.05, mu: mu, wd: 1e-3, nesterov: nesterov)
            for workers in [1, 2, 3, 8] {
                let traced = Self.run({ SGD($0, learningRate: 0.05, momentum: mu, nesterov: nesterov, weightDecay: 1e-3) }, workers: workers)
                XCTAssertEqual(traced, reference, "SGD momentum \(mu) nesterov \(nesterov), \(workers) workers")
            }
        }
    }
}
