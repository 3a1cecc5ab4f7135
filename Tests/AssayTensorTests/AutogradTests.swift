import AssaySupport
import Foundation
import XCTest
@testable import AssayTensor

final class AutogradTests: XCTestCase {
    func testGradientWithRespectToTheInputOfAFrozenNetwork() {
        let w = Tensor([2, -1, 0.5, 3], shape: [2, 2])          // frozen: no grad required
        let x = Tensor([1, 2], shape: [1, 2]).requiringGrad()
        linear(x, weight: w, bias: nil).sum().backward()
        XCTAssertNil(w.grad)
        XCTAssertEqual(x.grad, [2.5, 2])                      // column sums of W
    }

    func testGradientOfAScalarBuiltFromAnIntermediateActivation() {
        let x = Tensor([1, -2, 3], shape: [1, 3]).requiringGrad()
        let hidden = x.relu()
        let unit = (hidden * Tensor([1, 1, 2], shape: [1, 3])).sum()
        (unit + x.sum()).backward()
        XCTAssertEqual(hidden.grad, [1, 1, 2])
        XCTAssertEqual(x.grad, [2, 1, 3])
    }

    func testBackwardFreesIntermediatesNobodyHoldsAndKeepsHeldOnesGradients() {
        let x = Tensor([1, -2, 3], shape: [3]).requiringGrad()
        weak var dropped: Tensor?
        let held = x.square() - 2                          // [-1, 2, 7]
        let loss: Tensor = {
            let temporary = held.relu()
            dropped = temporary
            return (temporary * 2).sum()
        }()
        XCTAssertNotNil(dropped, "the graph holds the intermediate until backward")
        loss.backward()
        XCTAssertNil(dropped, "backward freed an intermediate only the graph held")
        XCTAssertEqual(held.grad, [0, 2, 2], "a tensor the caller holds keeps its gradient")
        XCTAssertEqual(x.grad, [0, -8, 12])
        XCTAssertFalse(held.isLeaf)
    }

    func testNoGradModeRecordsNothing() {
        let x = Tensor([1, 2], shape: [2]).requiringGrad()
        let y = Autograd.withoutGradients { x.square().sum() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(y.isLeaf)
        XCTAssertTrue(Autograd.isRecording)
    }

    func testNoGradModeOnAnotherThreadLeavesThisThreadRecording() {
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let other = Thread {
            Autograd.withoutGradients {
                entered.signal()
                release.wait()
            }
        }
        other.start()
        entered.wait()
        let x = Tensor([1, 2], shape: [2]).requiringGrad()
        let y = x.square().sum()
        release.signal()
        XCTAssertTrue(y.requiresGrad)
        y.backward()
        XCTAssertEqual(x.grad, [2, 4])
    }

    func testArgmaxPerRowAndPerPixel() {
        XCTAssertEqual(Tensor([1, 3, 2, 5, 0, 5], shape: [2, 3]).argmax(), [1, 0])
        // Channel 1 wins at pixel 0 (1 > 0), channel 0 at pixel 1 (4 > 3).
        XCTAssertEqual(Tensor([0, 4, 1, 3], shape: [1, 2, 1, 2]).argmax(axis: 1), [1, 0])
    }

    func testGradientsAccumulateAcrossBackwardCallsUntilCleared() {
        let x = Tensor([3], shape: [1]).requiringGrad()
        x.square().sum().backward()
        x.square().sum().backward()
        XCTAssertEqual(x.grad, [12])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testSharedSubexpressionReceivesBothContributions() {
        let x = Tensor([2], shape: [1]).requiringGrad()
        let y = x * x
        (y + y * x).sum().backward()            // d/dx (x² + x³) = 2x + 3x² = 16
        XCTAssertEqual(x.grad, [16])
    }

    func testValueAndGradHelper() {
        let w = Tensor([1, 2], shape: [2])
        let (value, grads) = valueAndGrad([w]) { (w * w).sum() }
        XCTAssertEqual(value, 5)
        XCTAssertEqual(grads[0], [2, 4])
        XCTAssertFalse(w.requiresGrad)
    }

    func testGradientsWithRespectToLeavesPreservesStoredGradients() {
        let x = Tensor([1, 2], shape: [2]).requiringGrad()
        x.grad = [10, 10]
        let g = (x * x).sum().gradients(withRespectTo: [x])
        XCTAssertEqual(g[0], [2, 4])
        XCTAssertEqual(x.grad, [10, 10])
    }

    func testDeepChainsDoNotOverflowTheStack() {
        let x = Tensor([1], shape: [1]).requiringGrad()
        var y = x
        for _ in 0..<20_000 { y = y * 1.0 }
        y.sum().backward()
        XCTAssertEqual(x.grad, [1])
    }

    func testInitialisersHaveTheirDocumentedSpread() {
        var rng = SeededRandom(seed: 5)
        let k = Tensor.kaimingNormal([256, 64, 3, 3], rng: &rng)
        let std = (k.data.reduce(0) { $0 + Double($1 * $1) } / Double(k.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / 576).squareRoot(), accuracy: 0.002)
        let t = Tensor.truncatedNormal([10_000], std: 1, lower: -2, upper: 2, rng: &rng)
        XCTAssertTrue(t.data.allSatisfy { $0 >= -2 && $0 <= 2 })
        let xav = Tensor.xavierUniform([100, 200], rng: &rng)
        let bound = Float((6.0 / 300).squareRoot())
        XCTAssertTrue(xav.data.allSatisfy { Swift.abs($0) <= bound })
        XCTAssertGreaterThan(xav.data.map { Swift.abs($0) }.max()!, bound * 0.95)
        var again = SeededRandom(seed: 5)
        XCTAssertEqual(Tensor.kaimingNormal([256, 64, 3, 3], rng: &again).data, k.data)
    }

    func testCrossEntropyValueMatchesHandComputation() {
        let logits = Tensor([0, 0, Float(log(2.0))], shape: [1, 3])
        // softmax = [1/4, 1/4, 1/2]; −log(1/2) = ln 2
        XCTAssertEqual(crossEntropy(logits, targets: [2]).item, Float(log(2.0)), accuracy: 1e-6)
        let weighted = crossEntropy(Tensor([0, 0, 0, 0], shape: [2, 2]), targets: [0, 1], classWeights: [1, 3])
        XCTAssertEqual(weighted.item, Float(log(2.0)), accuracy: 1e-6)   // weighted mean of equal losses
        XCTAssertEqual(crossEntropy(Tensor([1, 2], shape: [1, 2]), targets: [-1], ignoreIndex: -1).item, 0)
    }
}
