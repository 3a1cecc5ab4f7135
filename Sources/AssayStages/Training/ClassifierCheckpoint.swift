import AssayNN
import AssayTensor
import Foundation

/// What `train` saves after each epoch: weights, optimiser state and the per-epoch history,
/// as one safetensors blob (history and step count in its metadata).
struct ClassifierCheckpoint {
    var weights: [String: Tensor]
    var optimizerState: [String: Tensor]
    var steps: Int
    var history: [EpochRecord]

    func encode() throws -> Data {
        var tensors: [String: Tensor] = [:]
        for (name, t) in weights { tensors["model." + name] = t }
        for (name, t) in optimizerState { tensors[name] = t }
        let historyText = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
        return Data(SafeTensors.encode(tensors, metadata: ["steps": String(steps), "history": historyText]))
    }

    static func decode(_ data: Data, stage: String) throws -> ClassifierCheckpoint {
        do {
            let contents = try SafeTensors.decode([UInt8](data), source: "checkpoint")
            var weights: [String: Tensor] = [:], optimizer: [String: Tensor] = [:]
            for (name, t) in contents.tensors {
                if name.hasPrefix("model.") { weights[String(name.dropFirst(6))] = t } else { optimizer[name] = t }
            }
            let history = try JSONDecoder().decode([EpochRecord].self, from: Data((contents.metadata["history"] ?? "[]").utf8))
            return ClassifierCheckpoint(weights: weights, optimizerState: optimizer, steps: Int(contents.metadata["steps"] ?? "0") ?? 0, history: history)
        } catch {
            throw StageError(stage: stage, "its checkpoint cannot be read (\(error))", help: "delete the stage's checkpoint folder in the store to start over")
        }
    }
}
