import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
import AssaySupport
import Foundation

/// `segmentation-train`: per-pixel softmax cross-entropy (class weights, void ignored) with
/// Adam or SGD, one epoch at a time; checkpoints after each epoch so an interrupted stage
/// resumes at the last finished epoch. A model with `weights:` (or Squeeze-SegNet's
/// `encoder-weights:`) starts from them and sees its images normalised as the weights expect.
///
/// Step decay (PyTorch's `StepLR` per epoch): with `lr-step` = k > 0 the learning rate of
/// epoch e (from 0) is `lr · lr-gamma^⌊e / k⌋`; `lr-step` absent or 0 keeps it constant. The
/// rate depends on the epoch index only, so a resumed stage continues on the same schedule.
struct SegmentationTrainOperator: ParameterizedOperator {
    /// `data` is an input.
    struct Parameters: Decodable {
        var model: InlineModel
        var target: SegmentationTarget
        var epochs: Int
        var batchSize: Int
        var optimizer: ResumableOptimizer.Kind
        var lr: Double
        var momentum: Double
        var weightDecay: Double
        var seed: UInt64
        var lrStep: Int
        var lrGamma: Double
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let spec = p.model.spec, target = p.target
        let data = try readDataset(inputs, "data", stage: node.id)
        guard let masks = data.masks else {
            throw StageError(stage: node.id, path: "data", "the training data has no segmentation masks", help: "train on a `compose` or `camvid` data set")
        }
        let epochs = p.epochs, batchSize = p.batchSize, seed = p.seed

        let pixelsPerImage = data.shape.height * data.shape.width
        // One image at a time from the mapped masks (only median-frequency weights read them).
        let perImage = (0..<data.count).lazy.map { i in
            let range = i * pixelsPerImage ..< (i + 1) * pixelsPerImage
            defer { masks.pixels.release(range) }
            return masks.pixels.slice(range).map { Int32($0) }
        }
        let weights = try target.classWeights(masks: perImage, stage: node.id)

        // `weights:` / `encoder-weights:` on the model: start from them (their content is in the key through the planner's sources).
        let network = try PretrainedWeights.network(for: spec, of: node, seed: seed)
        let normalization = PixelNormalization(expectedBy: spec)
        var startEpoch = 0
        var history: [CanonicalValue] = []
        if let saved = try context.loadCheckpoint() {
            let resumed = try SegmentationCheckpoint.restore(saved, into: network, stage: node.id)
            startEpoch = resumed.epoch
            history = resumed.history
        }
        network.train()
        let optimizer = makeOptimizer(p.optimizer, lr: p.lr, momentum: p.momentum, weightDecay: p.weightDecay, parameters: network.trainableParameters)
        let schedule = try stepDecay(every: p.lrStep, gamma: p.lrGamma, base: p.lr, stage: node.id)
        let divergence = DivergenceGuard(stage: node.id, learningRate: p.lr, network: network)
        let batchesPerEpoch = (data.count + batchSize - 1) / batchSize
        let totalSteps = epochs * batchesPerEpoch
        let started = Date()
        var lastLoss = 0.0
        for epoch in startEpoch..<epochs {
            if let schedule { optimizer.learningRate = schedule.learningRate(at: epoch) }
            var lossSum = 0.0, seen = 0
            for (b, batch) in BatchIterator(dataset: data, batchSize: batchSize, shuffleSeed: seed, epoch: epoch, normalization: normalization).enumerated() {
                try context.checkCancelled()
                let x = Tensor(batch.images, shape: [batch.count, data.shape.channels, data.shape.height, data.shape.width])
                let targets = (batch.masks ?? []).map(Int.init)
                optimizer.zeroGrad()
                let loss = crossEntropy(network(x), targets: targets, classWeights: weights, ignoreIndex: target.voidIndex)
                loss.backward()
                try divergence.check(loss: loss, epoch: epoch + 1, step: b + 1)
                optimizer.step()
                lossSum += Double(loss.item) * Double(batch.count)
                seen += batch.count
                let step = epoch * batchesPerEpoch + b + 1
                context.report(fraction: Double(step) / Double(totalSteps), message: "epoch \(epoch + 1)/\(epochs)", metrics: [
                    "step": Double(step), "total-steps": Double(totalSteps), "epoch": Double(epoch + 1), "epochs": Double(epochs),
                    "loss": Double(loss.item), "items": Double(step * batchSize), "lr": Double(optimizer.learningRate),
                ])
            }
            lastLoss = lossSum / Double(max(1, seen))
            history.append(.map(["epoch": .int(epoch + 1), "loss": .double(lastLoss), "lr": .double(Double(optimizer.learningRate))]))
            try context.saveCheckpoint(SegmentationCheckpoint.encode(network, epoch: epoch + 1, history: history))
        }
        network.eval()
        try ModelArtifact.write(network, to: context.output(named: "model"))
        let elapsed = Date().timeIntervalSince(started)
        let metrics: [String: Double] = ["loss": lastLoss, "parameters": Double(spec.parameterCount)]
        // Timings go to the history only: the artifact's bytes must not depend on the machine's speed.
        try MetricsFile.write(metrics, extra: ["epochs": .list(history)], to: context.output(named: "metrics"))
        var reported = metrics
        reported["images-per-second"] = elapsed > 0 ? Double((epochs - startEpoch) * data.count) / elapsed : 0
        return StageResult(metrics: reported)
    }
}

/// The optimiser a stage's `optimizer`, `lr`, `momentum` (SGD only) and `weight-decay` ask for.
func makeOptimizer(_ kind: ResumableOptimizer.Kind, lr: Double, momentum: Double, weightDecay: Double, parameters: [Tensor]) -> Optimizer {
    switch kind {
    case .sgd: return SGD(parameters, learningRate: Float(lr), momentum: Float(momentum), weightDecay: Float(weightDecay))
    case .adam: return Adam(parameters, learningRate: Float(lr), weightDecay: Float(weightDecay))
    }
}

/// The per-epoch step decay a stage asks for with `lr-step` (epochs per decay, 0: none) and
/// `lr-gamma` (factor per decay) from the base rate `lr`, nil for a constant rate.
func stepDecay(every: Int, gamma: Double, base lr: Double, stage: String) throws -> StepSchedule? {
    guard every != 0 else { return nil }
    guard every > 0 else { throw StageError(stage: stage, path: "lr-step", "`lr-step` must be a positive number of epochs, found \(every)") }
    guard gamma > 0, gamma <= 1 else { throw StageError(stage: stage, path: "lr-gamma", "`lr-gamma` must be in (0, 1], found \(gamma)") }
    return StepSchedule(base: Float(lr), stepSize: every, gamma: Float(gamma))
}
