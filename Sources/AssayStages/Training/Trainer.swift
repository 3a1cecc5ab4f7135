import AssayEngine
import AssaySupport
import AssayNN
import Foundation

/// The one training loop of `train`, `segmentation-train` and `attack`: optimiser steps behind
/// the divergence guard, the learning-rate schedule, checkpoints and resuming, and progress in
/// real units. What a step computes (the loss of a batch) and where batches come from are the
/// stage's; the trainer owns everything that makes a resumed run end with the bytes of an
/// uninterrupted one.
///
/// Epoch stages call ``fit(epochs:examples:batchCount:batches:loss:validate:)`` with a function
/// from the epoch index to that epoch's batches (a `Sequence`, so the batch source is the
/// stage's to choose). Stages without epochs (`attack`) call ``step(_:epoch:step:)`` and
/// ``saveCheckpoint(epoch:step:random:extra:)`` from their own loop.
final class Trainer {
    /// The operator name, recorded in checkpoints so another kind's checkpoint is refused.
    let kind: String
    let stage: String
    let network: Module
    let optimizer: Optimizer
    /// Per epoch (PyTorch's schedulers stepped once an epoch); nil keeps `optimizer`'s rate.
    let schedule: LearningRateSchedule?
    let divergence: DivergenceGuard
    let context: StageContext
    /// What progress counts: `img` (images), `ex` (examples).
    var itemUnit = "img"
    /// Finished epochs, restored by ``resume()``.
    private(set) var history: [EpochRecord] = []
    /// Optimiser steps taken over the whole stage.
    private(set) var steps = 0

    init(kind: String, stage: String, network: Module, optimizer: Optimizer, schedule: LearningRateSchedule?,
         learningRatePath: String = "lr", learningRate: Double, context: StageContext) {
        self.kind = kind
        self.stage = stage
        self.network = network
        self.optimizer = optimizer
        self.schedule = schedule
        self.context = context
        divergence = DivergenceGuard(stage: stage, learningRatePath: learningRatePath, learningRate: learningRate, network: network)
    }

    /// Restores the checkpoint an interrupted execution of this stage key left, if any: weights,
    /// optimiser state, the network's dropout generators, history and step count. Returns it for
    /// the stage's own generators and values.
    @discardableResult
    func resume() throws -> TrainingCheckpoint? {
        guard let saved = try context.loadCheckpoint() else { return nil }
        let checkpoint = try TrainingCheckpoint.decode(saved, kind: kind, stage: stage)
        try checkpoint.restore(into: network, optimizer: optimizer, stage: stage)
        history = checkpoint.history
        steps = checkpoint.step
        return checkpoint
    }

    /// Saves the state after `epoch` finished epochs and ``steps`` steps, with the stage's own
    /// generators (`random`, not named `module.*`) and values.
    func saveCheckpoint(epoch: Int, random: [String: [UInt64]] = [:], extra: [String: String] = [:]) throws {
        var generators = random
        for (path, state) in network.randomStates() { generators["module." + path] = state }
        let checkpoint = TrainingCheckpoint(kind: kind, weights: network.stateDict(), optimizer: optimizer.state, epoch: epoch, step: steps,
                                            random: generators, history: history, extra: extra)
        try context.saveCheckpoint(checkpoint.encode())
    }

    /// One optimisation step on `loss`: backward, the divergence guard (nothing non-finite reaches
    /// the weights), the optimiser's update, gradients cleared.
    /// - Parameters: epoch: 1-based, nil without epochs; step: 1-based, within the epoch when there is one.
    func step(_ loss: Tensor, epoch: Int?, step: Int) throws {
        loss.backward()
        try divergence.check(loss: loss, epoch: epoch, step: step)
        optimizer.step()
        optimizer.zeroGrad()
        steps += 1
    }

    /// What a training step computed for one batch.
    struct BatchOutcome {
        var loss: Tensor
        var count: Int
        /// Correct predictions in the batch, for stages that report training accuracy.
        var correct: Int?
    }

    /// Trains epochs `history.count ..< epochs` (all of them unless ``resume()`` restored some):
    /// per epoch the scheduled rate, a step on each batch, the mean loss (over `examples`), the
    /// training accuracy when `loss` counts correct predictions, `validate` (which fills the
    /// record's validation fields), then a checkpoint. Returns the whole history.
    func fit<Batches: Sequence>(epochs: Int, examples: Int, batchCount: Int, batches: (_ epoch: Int) -> Batches,
                                loss: (Batches.Element) throws -> BatchOutcome,
                                validate: ((inout EpochRecord) throws -> Void)? = nil) throws -> [EpochRecord] {
        let startEpoch = history.count
        if startEpoch > 0 { context.notice("resumed after epoch \(startEpoch)", fraction: Double(startEpoch) / Double(epochs)) }
        let totalSteps = epochs * batchCount
        var lastReport = Date.distantPast
        var items = 0
        for epoch in startEpoch..<epochs {
            network.train()
            if let schedule { optimizer.learningRate = schedule.learningRate(at: epoch) }
            var lossSum = 0.0, correct: Int?
            for (b, batch) in batches(epoch).enumerated() {
                try context.checkCancelled()
                let outcome = try loss(batch)
                try step(outcome.loss, epoch: epoch + 1, step: b + 1)
                let value = Double(outcome.loss.item)
                lossSum += value * Double(outcome.count)
                if let c = outcome.correct { correct = (correct ?? 0) + c }
                items += outcome.count
                // Progress at most twice a second (the screen need not see every step); the CLI
                // derives images/s and the ETA from `items` and `step` over time.
                if b == batchCount - 1 || Date().timeIntervalSince(lastReport) >= 0.5 {
                    lastReport = Date()
                    context.report(StageProgress(
                        step: epoch * batchCount + b + 1, totalSteps: totalSteps, epoch: epoch + 1, epochs: epochs, loss: value, items: items,
                        itemUnit: itemUnit, message: "epoch \(epoch + 1)/\(epochs), batch \(b + 1)/\(batchCount)",
                        metrics: ["lr": Double(optimizer.learningRate)]))
                }
            }
            var record = EpochRecord(epoch: epoch + 1, loss: lossSum / Double(max(1, examples)), learningRate: Double(optimizer.learningRate),
                                     accuracy: correct.map { Double($0) / Double(max(1, examples)) })
            try validate?(&record)
            history.append(record)
            try saveCheckpoint(epoch: epoch + 1)
            var figures = ["loss": record.loss]
            if let a = record.accuracy { figures["accuracy"] = a }
            if let v = record.valAccuracy { figures["val-accuracy"] = v }
            if let v = record.valMeanIoU { figures["val-mean-iou"] = v }
            context.report(StageProgress(step: (epoch + 1) * batchCount, totalSteps: totalSteps, epoch: epoch + 1, epochs: epochs,
                                         loss: record.loss, items: items, itemUnit: itemUnit, message: "epoch \(epoch + 1)/\(epochs) done", metrics: figures))
        }
        network.eval()
        return history
    }
}
