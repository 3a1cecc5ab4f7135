import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
import AssaySupport
import AssayTensor
import Foundation

/// `train`: ERM with softmax cross-entropy on `data`, SGD or Adam, seeded shuffling and
/// augmentation, an optional per-epoch step decay of the learning rate and accuracy on `val`
/// after each epoch; the ``Trainer`` checkpoints every epoch, so an interrupted training
/// resumes at the next epoch and ends with the same bytes.
struct TrainOperator: ParameterizedOperator {
    /// `data` and `val` are inputs.
    struct Parameters: Decodable {
        var model: InlineModel
        var epochs: Int
        var batchSize: Int
        var optimizer: TrainingOptimizer
        var lr: Double
        var momentum: Double
        var weightDecay: Double
        var lrStep: Int
        var lrGamma: Double
        var augment: TrainingAugmentation
        var seed: UInt64
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let spec = p.model.spec
        let data = try DataStageIO.dataset(node, inputs: inputs, slot: "data")
        let val = inputs["val"] != nil ? try DataStageIO.dataset(node, inputs: inputs, slot: "val") : nil
        let batchSize = p.batchSize, seed = p.seed, augment = p.augment
        guard data.count > 0 else { throw StageError(stage: node.id, path: "data", "the training split is empty") }
        if data.shape.channels != spec.inputShape.first || [data.shape.height, data.shape.width] != Array(spec.inputShape.dropFirst()) {
            throw StageError(stage: node.id, path: "data", "samples are \(data.shape) but the model takes \(spec.inputShape)", help: "rerun `assay check`")
        }

        // `weights:` on the model: fine-tune from them (the file's content is in the key through the planner's sources).
        let network = try PretrainedWeights.network(for: spec, of: node, seed: seed)
        let optimizer = p.optimizer.make(lr: p.lr, momentum: p.momentum, weightDecay: p.weightDecay, parameters: network.trainableParameters)
        let schedule = try stepDecay(every: p.lrStep, gamma: p.lrGamma, base: p.lr, stage: node.id)
        let trainer = Trainer(kind: StageKind.train.name, stage: node.id, network: network, optimizer: optimizer, schedule: schedule, learningRate: p.lr, context: context)
        try trainer.resume()

        let normalization = PixelNormalization(expectedBy: network.spec)
        let shape = data.shape
        let batches = { (epoch: Int) in
            let iterator = BatchIterator(dataset: data, batchSize: batchSize, shuffleSeed: seed, epoch: epoch, normalization: normalization)
            var augmentRandom = SeededRandom(seed: seed &+ 0xA06_3E47, stream: UInt64(epoch))
            return (0..<iterator.batchCount).lazy.map { b -> (x: Tensor, labels: [Int32]) in
                let n = iterator.indices(ofBatch: b).count
                var images = [Float](repeating: 0, count: n * shape.count)
                var labels = [Int32](repeating: 0, count: n)
                _ = images.withUnsafeMutableBufferPointer { im in labels.withUnsafeMutableBufferPointer { iterator.fill(batch: b, images: im, labels: $0) } }
                augment.apply(to: &images, count: n, shape: shape, random: &augmentRandom)
                return (Tensor(images, shape: [n, shape.channels, shape.height, shape.width]), labels)
            }
        }
        let validate = val.map { val in
            { (record: inout EpochRecord) in
                let predicted = try NetworkInference.predictions(of: network, on: val, batchSize: max(batchSize, 256)) { try context.checkCancelled() }
                record.valAccuracy = Double(zip(predicted, val.labels).filter { $0 == $1 }.count) / Double(max(1, val.count))
            }
        }
        var history = try trainer.fit(
            epochs: p.epochs, examples: data.count, batchCount: (data.count + batchSize - 1) / batchSize, batches: batches,
            loss: { batch in
                let logits = network(batch.x)
                let correct = zip(NetworkInference.argmax(logits), batch.labels).filter { $0 == $1 }.count
                return .init(loss: crossEntropy(logits, targets: batch.labels.map(Int.init)), count: batch.labels.count, correct: correct)
            }, validate: validate)
        // The learning rate is in the artifact when a schedule changes it.
        if schedule == nil { for i in history.indices { history[i].learningRate = nil } }

        try ModelArtifact.write(network, to: context.output(named: "model"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let historyJSON = try encoder.encode(history)
        try historyJSON.write(to: context.output(named: "metrics"))
        var metrics: [String: Double] = ["epochs": Double(history.count)]
        if let last = history.last {
            metrics["loss"] = last.loss
            if let a = last.accuracy { metrics["accuracy"] = a }
            if let v = last.valAccuracy { metrics["val-accuracy"] = v }
        }
        return StageResult(metrics: metrics, tables: ["epochs": [UInt8](historyJSON)])
    }
}
