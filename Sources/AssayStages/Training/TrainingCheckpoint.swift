import AssayNN
import AssaySupport
import Foundation

/// What a training stage (`train`, `segmentation-train`, `attack`) saves after each epoch or
/// block of steps, so an interrupted stage resumes there and ends with the bytes of an
/// uninterrupted run: the network's weights and buffers, the optimiser's state (moments and
/// step counts), the epochs and steps done, the random generators that carry over (dropout's,
/// the stage's own), the per-epoch history and a few named values of the stage's own.
///
/// One safetensors blob: tensors `model.<name>` and `optimizer.<parameter>.<buffer>`; the rest is
/// metadata (`format`, `kind`, `epoch`, `step`, `optimizer`, `optimizer-steps`, `random.<name>`,
/// `history`, `extra.<name>`). ``decode(_:kind:stage:)`` rejects a blob of another format or
/// another stage kind, and ``TrainingCheckpoint`` restores nothing into a network it does not fit.
struct TrainingCheckpoint {
    static let format = "assay-training-checkpoint-1"

    /// The operator that wrote it.
    var kind: String
    var weights: [String: Tensor]
    var optimizer: OptimizerState
    /// Epochs finished (0 for stages without epochs).
    var epoch: Int
    /// Optimiser steps taken over the whole stage.
    var step: Int
    /// Generator states by name: `module.<path>` for a network's randomised modules, other names
    /// for the stage's own generators.
    var random: [String: [UInt64]]
    var history: [EpochRecord]
    /// Stage-specific values.
    var extra: [String: String] = [:]

    func encode() throws -> Data {
        var tensors = optimizer.tensors(prefix: "optimizer.")
        for (name, t) in weights { tensors["model." + name] = t }
        var metadata = [
            "format": Self.format, "kind": kind, "epoch": String(epoch), "step": String(step),
            "optimizer": optimizer.kind, "optimizer-steps": optimizer.stepsText,
            "history": String(decoding: try JSONEncoder().encode(history), as: UTF8.self),
        ]
        for (name, state) in random { metadata["random." + name] = state.map(String.init).joined(separator: " ") }
        for (name, value) in extra { metadata["extra." + name] = value }
        return Data(SafeTensors.encode(tensors, metadata: metadata))
    }

    /// Reads a checkpoint that `kind` wrote.
    static func decode(_ data: Data, kind: String, stage: String) throws -> TrainingCheckpoint {
        let startOver = "remove the stage's checkpoint with `assay gc --checkpoints` to start the stage over"
        let contents: SafeTensors.Contents
        do { contents = try SafeTensors.decode([UInt8](data), source: "checkpoint of \(stage)") } catch {
            throw StageError(stage: stage, "its checkpoint cannot be read (\(SystemErrorText.message(for: error)))", help: startOver)
        }
        let meta = contents.metadata
        guard meta["format"] == format else {
            throw StageError(stage: stage, "its checkpoint was written by an earlier version of Assay, in a format this one does not resume from", help: startOver)
        }
        guard meta["kind"] == kind else {
            throw StageError(stage: stage, "its checkpoint was written by a `\(meta["kind"] ?? "?")` stage, not by `\(kind)`", help: startOver)
        }
        do {
            guard let epoch = meta["epoch"].flatMap({ Int($0) }), let step = meta["step"].flatMap({ Int($0) }), epoch >= 0, step >= 0,
                  let optimizerKind = meta["optimizer"], let optimizerSteps = meta["optimizer-steps"] else {
                throw CheckpointDefect("its epoch, step or optimiser fields are missing")
            }
            var weights: [String: Tensor] = [:]
            for (name, t) in contents.tensors where name.hasPrefix("model.") { weights[String(name.dropFirst(6))] = t }
            var random: [String: [UInt64]] = [:], extra: [String: String] = [:]
            for (name, value) in meta {
                if name.hasPrefix("random.") {
                    let words = value.split(separator: " ").map { UInt64($0) }
                    guard !words.contains(nil) else { throw CheckpointDefect("the random state `\(name)` is not a list of integers") }
                    random[String(name.dropFirst(7))] = words.map { $0! }
                } else if name.hasPrefix("extra.") {
                    extra[String(name.dropFirst(6))] = value
                }
            }
            return TrainingCheckpoint(
                kind: kind, weights: weights,
                optimizer: try OptimizerState(kind: optimizerKind, tensors: contents.tensors, steps: optimizerSteps, prefix: "optimizer."),
                epoch: epoch, step: step, random: random,
                history: try JSONDecoder().decode([EpochRecord].self, from: Data((meta["history"] ?? "[]").utf8)), extra: extra)
        } catch {
            throw StageError(stage: stage, "its checkpoint is damaged: \(SystemErrorText.message(for: error))", help: startOver)
        }
    }

    /// Puts the weights, the optimiser's state and the network's module generators back; throws
    /// a ``StageError`` naming what does not fit (another model or optimiser). Each part is
    /// checked before it is written; the stage then fails, so a half-restored network is never used.
    func restore(into network: Module, optimizer target: Optimizer, stage: String) throws {
        let startOver = "the stage's model or optimiser changed since the checkpoint was written: remove it with `assay gc --checkpoints` to start over"
        let modules = random.filter { $0.key.hasPrefix("module.") }
        do {
            try network.loadStateDict(weights, strict: true)
            try target.restore(optimizer)
            try network.restoreRandomStates(Dictionary(uniqueKeysWithValues: modules.map { (String($0.key.dropFirst(7)), $0.value) }))
        } catch {
            throw StageError(stage: stage, "its checkpoint does not fit this `\(kind)` stage: \(SystemErrorText.message(for: error))", help: startOver)
        }
    }
}

/// A checkpoint field that does not parse.
struct CheckpointDefect: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
