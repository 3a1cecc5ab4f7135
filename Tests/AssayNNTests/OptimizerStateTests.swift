import AssayNN
import AssaySupport
import XCTest

/// An optimiser restored from its saved state continues bit for bit as the one it was taken
/// from, and a state that does not fit is refused without changing anything.
final class OptimizerStateTests: XCTestCase {
    /// Three parameters of odd sizes and a loss whose gradients change every step.
    static func parameters(seed: UInt64) -> [Tensor] {
        var rng = SeededRandom(seed: seed)
        return [[3, 4], [5], [2, 2, 2]].map { Tensor.uniform($0, low: -1, high: 1, rng: &rng).requiringGrad() }
    }

    static func train(_ parameters: [Tensor], _ optimizer: Optimizer, steps: Range<Int>) {
        for step in steps {
            optimizer.zeroGrad()
            let terms = parameters.enumerated().map { i, p in ((p * Float(i + 1)).tanh() * Float(step + 1) + 0.3).square().sum() }
            terms.dropFirst().reduce(terms[0], +).backward()
            optimizer.step()
        }
    }

    static let kinds: [(String, ([Tensor]) -> Optimizer)] = [
        ("sgd", { SGD($0, learningRate: 0.05) }),
        ("sgd-momentum", { SGD($0, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-3) }),
        ("sgd-nesterov", { SGD($0, learningRate: 0.05, momentum: 0.9, nesterov: true) }),
        ("adam", { Adam($0, learningRate: 0.01, weightDecay: 1e-3) }),
        ("adamw", { AdamW($0, learningRate: 0.01) }),
    ]

    func testARestoredOptimiserContinuesBitForBit() throws {
        for (name, make) in Self.kinds {
            let reference = Self.parameters(seed: 7)
            Self.train(reference, make(reference), steps: 0..<9)

            let first = Self.parameters(seed: 7)
            let interrupted = make(first)
            Self.train(first, interrupted, steps: 0..<4)
            // Through the checkpoint form: named tensors and step counts as text.
            let saved = interrupted.state
            let stored = try SafeTensors.decode(SafeTensors.encode(saved.tensors(prefix: "opt."))).tensors
            let read = try OptimizerState(kind: saved.kind, tensors: stored, steps: saved.stepsText, prefix: "opt.")
            XCTAssertEqual(read, saved, name)

            let resumed = first.map { Tensor($0.data, shape: $0.shape).requiringGrad() }
            let optimizer = make(resumed)
            try optimizer.restore(read)
            XCTAssertEqual(optimizer.state, saved, name)
            Self.train(resumed, optimizer, steps: 4..<9)
            for (a, b) in zip(resumed, reference) { XCTAssertEqual(a.data.map(\.bitPattern), b.data.map(\.bitPattern), name) }
        }
    }

    func testTheStateHoldsMomentsAndStepCounts() {
        let p = Self.parameters(seed: 1)
        let adam = Adam(p, learningRate: 0.01)
        XCTAssertEqual(adam.state, OptimizerState(kind: "adam", parameters: p.map { _ in .init() }))
        Self.train(p, adam, steps: 0..<3)
        XCTAssertEqual(adam.state.parameters.map(\.steps), [3, 3, 3])
        XCTAssertEqual(adam.state.parameters.map { $0.buffers.keys.sorted() }, p.map { _ in ["first-moment", "second-moment"] })
        XCTAssertEqual(adam.state.parameters.map { $0.buffers["first-moment"]!.count }, p.map(\.count))
        let sgd = SGD(p, learningRate: 0.1)
        Self.train(p, sgd, steps: 0..<2)
        XCTAssertEqual(sgd.state.parameters.map(\.buffers), p.map { _ in [:] }, "plain SGD keeps no buffer")
    }

    func testAStateThatDoesNotFitIsRefusedAndChangesNothing() throws {
        let p = Self.parameters(seed: 2)
        let adam = Adam(p, learningRate: 0.01)
        Self.train(p, adam, steps: 0..<2)
        let before = adam.state

        let sgd = SGD(p, learningRate: 0.1, momentum: 0.9)
        Self.train(p, sgd, steps: 0..<1)
        XCTAssertThrowsError(try adam.restore(sgd.state)) { XCTAssertTrue("\($0)".contains("state of `sgd`, not `adam`"), "\($0)") }
        XCTAssertThrowsError(try AdamW(p).restore(before)) { XCTAssertTrue("\($0)".contains("not `adamw`"), "\($0)") }

        var fewer = before
        fewer.parameters.removeLast()
        XCTAssertThrowsError(try adam.restore(fewer)) { XCTAssertTrue("\($0)".contains("holds 2 parameters, the optimiser has 3"), "\($0)") }
        var short = before
        short.parameters[1].buffers["first-moment"]!.removeLast()
        XCTAssertThrowsError(try adam.restore(short)) { XCTAssertTrue("\($0)".contains("parameter 1's `first-moment` has 4 values, the parameter 5"), "\($0)") }
        var renamed = before
        renamed.parameters[0].buffers["velocity"] = renamed.parameters[0].buffers.removeValue(forKey: "first-moment")
        XCTAssertThrowsError(try adam.restore(renamed))
        XCTAssertThrowsError(try OptimizerState(kind: "adam", tensors: ["opt.7.first-moment": Tensor([1], shape: [1])], steps: "1 1", prefix: "opt."))
        XCTAssertThrowsError(try OptimizerState(kind: "adam", tensors: [:], steps: "1 x", prefix: "opt."))
        XCTAssertEqual(adam.state, before)
    }

    func testDropoutGeneratorsRoundTripThroughTheirState() throws {
        var rng = SeededRandom(seed: 1)
        let net = Sequential(named: [("0", Linear(4, 4, rng: &rng)), ("1", Dropout(0.5, seed: 3))])
        let x = Tensor([Float](repeating: 1, count: 8), shape: [2, 4])
        _ = net(x)
        let saved = net.randomStates()
        XCTAssertEqual(Array(saved.keys), ["1"])
        let next = net(x).data
        try net.restoreRandomStates(saved)
        XCTAssertEqual(net(x).data, next, "the same masks after restoring")
        XCTAssertThrowsError(try net.restoreRandomStates([:])) { XCTAssertTrue("\($0)".contains("`1`"), "\($0)") }
        XCTAssertThrowsError(try net.restoreRandomStates(["1": [0, 0, 0, 0]]))
    }
}
