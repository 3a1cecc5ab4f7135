import AssayNN
import AssaySupport
import AssayTensor
import Foundation

/// What `train` saves after each epoch and `attack` after each block of steps: weights,
/// optimiser state, the per-epoch history and a few named strings of the stage's own (e.g. its
/// random generator's state), as one safetensors blob (all but the tensors in its metadata).
struct ClassifierCheckpoint {
    var weights: [String: Tensor]
    var optimizerState: [String: Tensor]
    var steps: Int
    var history: [EpochRecord]
    /// Stage-specific values, stored as metadata `extra.<name>`.
    var extra: [String: String] = [:]

    func encode() throws -> Data {
        var tensors: [String: Tensor] = [:]
        for (name, t) in weights { tensors["model." + name] = t }
        for (name, t) in optimizerState { tensors[name] = t }
        let historyText = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
        var metadata = ["steps": String(steps), "history": historyText]
        for (name, value) in extra { metadata["extra." + name] = value }
        return Data(SafeTensors.encode(tensors, metadata: metadata))
    }

    static func decode(_ data: Data, stage: String) throws -> ClassifierCheckpoint {
        do {
            let contents = try SafeTensors.decode([UInt8](data), source: "checkpoint")
            var weights: [String: Tensor] = [:], optimizer: [String: Tensor] = [:]
            for (name, t) in contents.tensors {
                if name.hasPrefix("model.") { weights[String(name.dropFirst(6))] = t } else { optimizer[name] = t }
            }
            let history = try JSONDecoder().decode([EpochRecord].self, from: Data((contents.metadata["history"] ?? "[]").utf8))
            var extra: [String: String] = [:]
            for (name, value) in contents.metadata where name.hasPrefix("extra.") { extra[String(name.dropFirst(6))] = value }
            return ClassifierCheckpoint(weights: weights, optimizerState: optimizer, steps: Int(contents.metadata["steps"] ?? "0") ?? 0, history: history, extra: extra)
        } catch {
            throw StageError(stage: stage, "its checkpoint cannot be read (\(SystemErrorText.message(for: error)))", help: "delete the stage's checkpoint folder in the store to start over")
        }
    }
}
