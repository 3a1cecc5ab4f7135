import AssayNN
import AssaySupport
import Foundation

/// An epoch-boundary checkpoint of a training stage: the network's tensors (safetensors bytes)
/// with the finished epoch count and the per-epoch history in the metadata.
///
/// Optimiser moments are not saved, so a resumed run continues from the same weights but is
/// not bit-identical to an uninterrupted one; the cache key is the same, so this only matters
/// when comparing a resumed run's bytes with another machine's.
enum SegmentationCheckpoint {
    static func encode(_ network: Module, epoch: Int, history: [CanonicalValue]) -> Data {
        Data(SafeTensors.encode(network.stateDict(), metadata: ["epoch": String(epoch), "history": CanonicalValue.list(history).canonicalString]))
    }

    static func restore(_ data: Data, into network: Module, stage: String) throws -> (epoch: Int, history: [CanonicalValue]) {
        do {
            let contents = try SafeTensors.decode([UInt8](data), source: "checkpoint of \(stage)")
            try network.loadStateDict(contents.tensors, strict: true)
            let history = try contents.metadata["history"].map { try CanonicalValue(json: $0).listValue ?? [] } ?? []
            return (Int(contents.metadata["epoch"] ?? "0") ?? 0, history)
        } catch {
            throw StageError(stage: stage, "its checkpoint cannot be restored (\(SystemErrorText.message(for: error)))", help: "run with `--force \(stage)` to start over")
        }
    }
}
