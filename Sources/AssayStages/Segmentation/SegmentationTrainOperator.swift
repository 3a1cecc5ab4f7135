import AssayData
import AssayEngine
import AssayLanguage
import AssayLearn
import AssayNN
import AssaySupport
import Foundation

/// `segmentation-train`: per-pixel softmax cross-entropy (class weights, void ignored) with
/// Adam or SGD, seeded shuffling and augmentation (masks move with their images), an optional
/// per-epoch step decay (``stepDecay(every:gamma:base:stage:)``) and global pixel accuracy and
/// mean IoU on `val` after each epoch. The ``Trainer`` checkpoints every epoch, so an
/// interrupted stage resumes at the next epoch and ends with the same bytes. A model with
/// `weights:` (or Squeeze-SegNet's `encoder-weights:`) starts from them and sees its images
/// normalised as the weights expect.
struct SegmentationTrainOperator: ParameterizedOperator {
    /// `data` and `val` are inputs.
    struct Parameters: Decodable {
        var model: InlineModel
        var target: SegmentationTarget
        var epochs: Int
        var batchSize: Int
        var optimizer: TrainingOptimizer
        var lr: Double
        var momentum: Double
        var weightDecay: Double
        var seed: UInt64
        var lrStep: Int
        var lrGamma: Double
        var augment: TrainingAugmentation
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let spec = p.model.spec, target = p.target
        let data = try readDataset(inputs, "data", stage: node.id)
        guard let masks = data.masks else {
            throw StageError(stage: node.id, path: "data", "the training data has no segmentation masks", help: "train on a `compose` or `camvid` data set")
        }
        let val = inputs["val"] != nil ? try readDataset(inputs, "val", stage: node.id) : nil
        if let val, val.masks == nil {
            throw StageError(stage: node.id, path: "val", "the validation data has no segmentation masks", help: "validate on a split of a `compose` or `camvid` data set")
        }
        let batchSize = p.batchSize, seed = p.seed, augment = p.augment

        let pixelsPerImage = data.shape.height * data.shape.width
        // One image at a time from the mapped masks (only median-frequency weights read them).
        let perImage = (0..<data.count).lazy.map { i in
            let range = i * pixelsPerImage ..< (i + 1) * pixelsPerImage
            defer { masks.pixels.release(range) }
            return masks.pixels.slice(range).map { Int32($0) }
        }
        let weights = try target.classWeights(masks: perImage, stage: node.id)
        // Padding that crops bring in is ignored by the loss: the void label, or -1 without one.
        let ignored = target.voidIndex ?? (augment == .cropFlip ? -1 : nil)

        // `weights:` / `encoder-weights:` on the model: start from them (their content is in the key through the planner's sources).
        let network = try PretrainedWeights.network(for: spec, of: node, seed: seed)
        let normalization = PixelNormalization(expectedBy: spec)
        let optimizer = p.optimizer.make(lr: p.lr, momentum: p.momentum, weightDecay: p.weightDecay, parameters: network.trainableParameters)
        let schedule = try stepDecay(every: p.lrStep, gamma: p.lrGamma, base: p.lr, stage: node.id)
        let trainer = Trainer(kind: StageKind.segmentationTrain.name, stage: node.id, network: network, optimizer: optimizer, schedule: schedule,
                              learningRate: p.lr, context: context)
        try trainer.resume()

        let shape = data.shape
        let batches = { (epoch: Int) in
            var augmentRandom = SeededRandom(seed: seed &+ 0xA06_3E47, stream: UInt64(epoch))
            return BatchIterator(dataset: data, batchSize: batchSize, shuffleSeed: seed, epoch: epoch, normalization: normalization).lazy.map { batch -> Batch in
                var batch = batch
                augment.apply(to: &batch.images, masks: &batch.masks, padding: Int32(ignored ?? 0), count: batch.count, shape: shape, random: &augmentRandom)
                return batch
            }
        }
        let validate = val.map { val in
            { (record: inout EpochRecord) in
                let scores = try Self.score(network, on: val, batchSize: batchSize, normalization: normalization, target: target, stage: node.id, context: context)
                record.valAccuracy = scores.globalAccuracy
                record.valMeanIoU = scores.meanIoU
            }
        }
        let started = Date()
        let resumedEpochs = trainer.history.count
        let history = try trainer.fit(
            epochs: p.epochs, examples: data.count, batchCount: (data.count + batchSize - 1) / batchSize, batches: batches,
            loss: { batch in
                let x = Tensor(batch.images, shape: [batch.count, shape.channels, shape.height, shape.width])
                let loss = crossEntropy(network(x), targets: (batch.masks ?? []).map(Int.init), classWeights: weights, ignoreIndex: ignored)
                return .init(loss: loss, count: batch.count)
            }, validate: validate)

        try ModelArtifact.write(network, to: context.output(named: "model"))
        let elapsed = Date().timeIntervalSince(started)
        var metrics: [String: Double] = ["loss": history.last?.loss ?? 0, "parameters": Double(spec.parameterCount)]
        if let last = history.last, let v = last.valAccuracy, let iou = last.valMeanIoU {
            metrics["val-accuracy"] = v
            metrics["val-mean-iou"] = iou
        }
        let epochs: [CanonicalValue] = history.map { r in
            var entry: [String: CanonicalValue] = ["epoch": .int(r.epoch), "loss": .double(r.loss), "lr": .double(r.learningRate ?? Double(Float(p.lr)))]
            if let v = r.valAccuracy { entry["val-accuracy"] = .double(v) }
            if let v = r.valMeanIoU { entry["val-mean-iou"] = .double(v) }
            return .map(entry)
        }
        // Timings go to the history only: the artifact's bytes must not depend on the machine's speed.
        try MetricsFile.write(metrics, extra: ["epochs": .list(epochs)], to: context.output(named: "metrics"))
        var reported = metrics
        reported["images-per-second"] = elapsed > 0 ? Double((p.epochs - resumedEpochs) * data.count) / elapsed : 0
        return StageResult(metrics: reported)
    }

    /// Global pixel accuracy and mean IoU of `network` on `data` (void pixels excluded), in evaluation mode.
    static func score(_ network: SpecNetwork, on data: ImageDataset, batchSize: Int, normalization: PixelNormalization,
                      target: SegmentationTarget, stage: String, context: StageContext) throws -> SegmentationMetrics {
        network.eval()
        var confusion = ConfusionMatrix(classCount: target.classes.count)
        try Autograd.withoutGradients {
            for batch in BatchIterator(dataset: data, batchSize: batchSize, shuffleSeed: nil, normalization: normalization) {
                try context.checkCancelled()
                let logits = network(Tensor(batch.images, shape: [batch.count, data.shape.channels, data.shape.height, data.shape.width]))
                do {
                    try confusion.accumulate(predicted: SegmentationEvaluateOperator.argmaxPerPixel(logits), truth: batch.masks ?? [],
                                             void: target.voidIndex.map(Int32.init))
                } catch {
                    throw StageError(stage: stage, path: "val", SystemErrorText.message(for: error))
                }
            }
        }
        return SegmentationMetrics(confusion)
    }
}
