import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
import AssaySupport
import AssayTensor
import Foundation

/// `train`: ERM with softmax cross-entropy on `data`, SGD or Adam, seeded shuffling and
/// augmentation; a checkpoint after every epoch (weights, optimiser state, history), so an
/// interrupted training resumes at the next epoch and ends with the same bytes.
struct TrainOperator: ParameterizedOperator {
    /// `data` and `val` are inputs.
    struct Parameters: Decodable {
        var model: InlineModel
        var epochs: Int
        var batchSize: Int
        var optimizer: ResumableOptimizer.Kind
        var lr: Double
        var momentum: Double
        var weightDecay: Double
        var augment: TrainingAugmentation
        var seed: UInt64
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let spec = p.model.spec
        let data = try DataStageIO.dataset(node, inputs: inputs, slot: "data")
        let val = inputs["val"] != nil ? try DataStageIO.dataset(node, inputs: inputs, slot: "val") : nil
        let epochs = p.epochs, batchSize = p.batchSize, seed = p.seed
        let augment = p.augment
        guard data.count > 0 else { throw StageError(stage: node.id, path: "data", "the training split is empty") }
        if data.shape.channels != spec.inputShape.first || [data.shape.height, data.shape.width] != Array(spec.inputShape.dropFirst()) {
            throw StageError(stage: node.id, path: "data", "samples are \(data.shape) but the model takes \(spec.inputShape)", help: "rerun `assay check`")
        }

        // `weights:` on the model: fine-tune from them (the file's content is in the key through the planner's sources).
        let network = try PretrainedWeights.network(for: spec, of: node, seed: seed)
        network.train()
        let optimizer = ResumableOptimizer(kind: p.optimizer, parameters: network.trainableParameters, learningRate: Float(p.lr),
                                           momentum: Float(p.momentum), weightDecay: Float(p.weightDecay))
        let divergence = DivergenceGuard(stage: node.id, learningRate: p.lr, network: network)
        var history: [EpochRecord] = []
        var startEpoch = 0
        if let saved = try context.loadCheckpoint() {
            let checkpoint = try ClassifierCheckpoint.decode(saved, stage: node.id)
            try network.loadStateDict(checkpoint.weights, strict: true)
            optimizer.restore(from: checkpoint.optimizerState, steps: checkpoint.steps)
            history = checkpoint.history
            startEpoch = checkpoint.history.count
            context.notice("resumed after epoch \(startEpoch)", fraction: Double(startEpoch) / Double(epochs))
        }

        let normalization = PixelNormalization(expectedBy: network.spec)
        let batchesPerEpoch = (data.count + batchSize - 1) / batchSize
        let started = Date()
        var examplesSeen = 0
        for epoch in startEpoch..<epochs {
            network.train()
            let iterator = BatchIterator(dataset: data, batchSize: batchSize, shuffleSeed: seed, epoch: epoch, normalization: normalization)
            var augmentRandom = SeededRandom(seed: seed &+ 0xA06_3E47, stream: UInt64(epoch))
            var lossSum = 0.0, correct = 0
            let shape = data.shape
            for b in 0..<iterator.batchCount {
                try context.checkCancelled()
                let n = iterator.indices(ofBatch: b).count
                var images = [Float](repeating: 0, count: n * shape.count)
                var labels = [Int32](repeating: 0, count: n)
                _ = images.withUnsafeMutableBufferPointer { im in labels.withUnsafeMutableBufferPointer { iterator.fill(batch: b, images: im, labels: $0) } }
                augment.apply(to: &images, count: n, shape: shape, random: &augmentRandom)
                let x = Tensor(images, shape: [n, shape.channels, shape.height, shape.width])
                let logits = network(x)
                let loss = crossEntropy(logits, targets: labels.map(Int.init))
                loss.backward()
                try divergence.check(loss: loss, epoch: epoch + 1, step: b + 1)
                optimizer.step()
                optimizer.zeroGrad()
                lossSum += Double(loss.item) * Double(n)
                correct += zip(NetworkInference.argmax(logits), labels).filter { $0 == $1 }.count
                examplesSeen += n
                if b % 20 == 0 || b == iterator.batchCount - 1 {
                    let done = Double(epoch - startEpoch) + Double(b + 1) / Double(batchesPerEpoch)
                    let elapsed = Date().timeIntervalSince(started)
                    let remaining = done > 0 ? elapsed / done * (Double(epochs - startEpoch) - done) : 0
                    context.report(
                        fraction: (Double(epoch) + Double(b + 1) / Double(batchesPerEpoch)) / Double(epochs),
                        message: "epoch \(epoch + 1)/\(epochs), batch \(b + 1)/\(batchesPerEpoch)",
                        metrics: ["loss": Double(loss.item), "examples-per-second": Double(examplesSeen) / max(elapsed, 1e-9), "eta-seconds": remaining])
                }
            }
            var record = EpochRecord(epoch: epoch + 1, loss: lossSum / Double(data.count), accuracy: Double(correct) / Double(data.count))
            if let val {
                let predicted = try NetworkInference.predictions(of: network, on: val, batchSize: max(batchSize, 256)) { try context.checkCancelled() }
                record.valAccuracy = Double(zip(predicted, val.labels).filter { $0 == $1 }.count) / Double(max(1, val.count))
            }
            history.append(record)
            try context.saveCheckpoint(ClassifierCheckpoint(weights: network.stateDict(), optimizerState: optimizer.state(), steps: optimizer.steps, history: history).encode())
            var metrics = ["loss": record.loss, "accuracy": record.accuracy]
            if let v = record.valAccuracy { metrics["val-accuracy"] = v }
            context.report(fraction: Double(epoch + 1) / Double(epochs), message: "epoch \(epoch + 1)/\(epochs) done", metrics: metrics)
        }

        network.eval()
        try ModelArtifact.write(network, to: context.output(named: "model"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let historyJSON = try encoder.encode(history)
        try historyJSON.write(to: context.output(named: "metrics"))
        var metrics: [String: Double] = ["epochs": Double(history.count)]
        if let last = history.last {
            metrics["loss"] = last.loss
            metrics["accuracy"] = last.accuracy
            if let v = last.valAccuracy { metrics["val-accuracy"] = v }
        }
        return StageResult(metrics: metrics, tables: ["epochs": [UInt8](historyJSON)])
    }
}
