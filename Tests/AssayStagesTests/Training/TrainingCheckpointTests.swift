import AssayNN
@testable import AssayStages
import AssaySupport
import Foundation
import XCTest

/// One checkpoint format for the training stages: everything a resumed run needs comes back
/// exactly, and a checkpoint of another kind, another model or an earlier format is refused
/// with an error that says so and how to start over.
final class TrainingCheckpointTests: XCTestCase {
    static func network(outputs: Int = 3) -> Module {
        var rng = SeededRandom(seed: 5)
        return Sequential(named: [("fc1", Linear(4, 6, rng: &rng)), ("drop", Dropout(0.5, seed: 9)), ("fc2", Linear(6, outputs, rng: &rng))])
    }

    /// A network and its Adam after two steps, and their checkpoint.
    static func trained() -> (Module, Adam, TrainingCheckpoint) {
        let net = network()
        let adam = Adam(net.trainableParameters, learningRate: 0.01)
        for step in 0..<2 {
            adam.zeroGrad()
            net(Tensor((0..<8).map { Float($0 + step) / 8 }, shape: [2, 4])).square().sum().backward()
            adam.step()
        }
        var random = ["stage": [1, 2, 3, 4] as [UInt64]]
        for (path, state) in net.randomStates() { random["module." + path] = state }
        let checkpoint = TrainingCheckpoint(
            kind: "train", weights: net.stateDict(), optimizer: adam.state, epoch: 1, step: 2, random: random,
            history: [EpochRecord(epoch: 1, loss: 0.25, learningRate: 0.01, accuracy: 0.5)], extra: ["note": "x"])
        return (net, adam, checkpoint)
    }

    func testACheckpointRestoresWeightsOptimiserAndGeneratorsExactly() throws {
        let (net, adam, checkpoint) = Self.trained()
        let read = try TrainingCheckpoint.decode(checkpoint.encode(), kind: "train", stage: "erm")
        XCTAssertEqual(read.epoch, 1)
        XCTAssertEqual(read.step, 2)
        XCTAssertEqual(read.history, checkpoint.history)
        XCTAssertEqual(read.random, checkpoint.random)
        XCTAssertEqual(read.extra, ["note": "x"])
        XCTAssertEqual(read.optimizer, adam.state)

        let fresh = Self.network()
        let freshAdam = Adam(fresh.trainableParameters, learningRate: 0.01)
        try read.restore(into: fresh, optimizer: freshAdam, stage: "erm")
        XCTAssertEqual(freshAdam.state, adam.state)
        XCTAssertEqual(fresh.randomStates(), net.randomStates())
        for (name, t) in net.stateDict() { XCTAssertEqual(fresh.stateDict()[name]?.data.map(\.bitPattern), t.data.map(\.bitPattern), name) }
    }

    func testACheckpointOfAnotherKindIsRefused() throws {
        let (_, _, checkpoint) = Self.trained()
        XCTAssertThrowsError(try TrainingCheckpoint.decode(checkpoint.encode(), kind: "segmentation-train", stage: "fit")) { error in
            XCTAssertEqual((error as? StageError)?.message, "its checkpoint was written by a `train` stage, not by `segmentation-train`")
            XCTAssertTrue((error as? StageError)?.help?.contains("assay gc --checkpoints") == true, "\(error)")
        }
    }

    func testACheckpointOfAnotherShapeIsRefusedNamingTheTensor() throws {
        let (_, _, checkpoint) = Self.trained()
        let read = try TrainingCheckpoint.decode(checkpoint.encode(), kind: "train", stage: "erm")
        let other = Self.network(outputs: 2)
        let before = other.stateDict().mapValues(\.data)
        XCTAssertThrowsError(try read.restore(into: other, optimizer: Adam(other.trainableParameters), stage: "erm")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("its checkpoint does not fit this `train` stage") && text.contains("'fc2.weight': expected shape [2, 6], found [3, 6]"), text)
        }
        XCTAssertEqual(other.stateDict().mapValues(\.data), before, "a refused checkpoint changes no weight")
        // Same shapes, another optimiser: refused too.
        let same = Self.network()
        XCTAssertThrowsError(try read.restore(into: same, optimizer: SGD(same.trainableParameters, learningRate: 0.1), stage: "erm")) { error in
            XCTAssertTrue("\(error)".contains("state of `adam`, not `sgd`"), "\(error)")
        }
    }

    func testAnEarlierFormatOrDamagedBytesAreRefused() throws {
        // What `train` wrote before this format: weights and a step count, no format field.
        let earlier = Data(SafeTensors.encode(["model.fc1.weight": Tensor([1], shape: [1])], metadata: ["steps": "3", "history": "[]"]))
        XCTAssertThrowsError(try TrainingCheckpoint.decode(earlier, kind: "train", stage: "erm")) { error in
            XCTAssertTrue("\(error)".contains("written by an earlier version of Assay"), "\(error)")
        }
        XCTAssertThrowsError(try TrainingCheckpoint.decode(Data("not a checkpoint".utf8), kind: "train", stage: "erm")) { error in
            XCTAssertTrue("\(error)".contains("its checkpoint cannot be read"), "\(error)")
        }
        let damaged = Data(SafeTensors.encode([:], metadata: ["format": TrainingCheckpoint.format, "kind": "train", "epoch": "x", "step": "0"]))
        XCTAssertThrowsError(try TrainingCheckpoint.decode(damaged, kind: "train", stage: "erm")) { error in
            XCTAssertTrue("\(error)".contains("its checkpoint is damaged: its epoch, step or optimiser fields are missing"), "\(error)")
        }
    }
}
