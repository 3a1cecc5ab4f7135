import AssayNN
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
