import AssayData
import AssayEngine
import AssaySupport
import Foundation

/// Reading and writing the data sets that flow between data stages.
///
/// Every split travels as its own `DatasetArtifact` file holding one split named `all`,
/// so a stage that reads `bordered.val` reads exactly that file and nothing else, and an
/// unchanged split keeps its digest (early cutoff) when a sibling split changes.
enum DataStageIO {
    /// The splits bound to slots `prefix.<split>` (a `datasetSplits` reference), in the
    /// conventional order train, val, test, then any others alphabetically.
    static func splits(_ node: PlanNode, inputs: [String: ArtifactHandle], prefix: String) throws -> DatasetSplits {
        let names = node.inputs.filter { $0.slot.hasPrefix(prefix + ".") }.map { String($0.slot.dropFirst(prefix.count + 1)) }
        guard !names.isEmpty else {
            throw StageError(stage: node.id, path: prefix, "no data set is bound to `\(prefix)`", help: "rerun `assay check`; the plan is incomplete")
        }
        var result = DatasetSplits()
        for name in ordered(names) {
            result[name] = try dataset(node, inputs: inputs, slot: "\(prefix).\(name)")
        }
        return result
    }

    /// The data set bound to `slot`.
    static func dataset(_ node: PlanNode, inputs: [String: ArtifactHandle], slot: String) throws -> ImageDataset {
        try readDataset(inputs, slot, stage: node.id)
    }

    /// The split name of the stage output bound to `slot` (e.g. `val` for `bordered.val`).
    static func splitName(_ node: PlanNode, slot: String) -> String {
        node.inputs.first { $0.slot == slot }?.output ?? slot
    }

    /// Writes every split to the output of the same name; every declared output must be produced.
    static func write(_ splits: DatasetSplits, node: PlanNode, context: StageContext) throws {
        for output in node.outputs {
            guard let dataset = splits[output] else {
                throw StageError(stage: node.id, "produced no split `\(output)` (it has: \(splits.names.joined(separator: ", ")))",
                                 help: "rerun `assay check`; the declared splits and the data disagree")
            }
            context.recordDigest(try DatasetArtifact.write(dataset, to: context.output(named: output)), ofOutput: output)
        }
    }

    static func ordered(_ names: [String]) -> [String] {
        let known = ["train", "val", "test"]
        return known.filter(names.contains) + names.filter { !known.contains($0) }.sorted()
    }

    /// Decodes each split's images straight into the output of the same name, a block at a time (peak
    /// memory is a block of images, not the data set), with progress in images (rate and ETA) and
    /// Ctrl-C between blocks. Returns `<split>.examples` metrics.
    static func writeDecoding(_ listings: [(split: String, listing: ImageListing)], preprocessing: ImagePreprocessing, node: PlanNode,
                              context: StageContext, errorPath: String) throws -> [String: Double] {
        let kept = listings.filter { node.outputs.contains($0.split) }
        let total = kept.reduce(0) { $0 + $1.listing.count }
        var done = 0, metrics: [String: Double] = [:]
        for (split, listing) in kept {
            try context.checkCancelled()
            try wrap(node, errorPath) {
                let digest = try DatasetArtifact.writeDecoding(listing, preprocessing: preprocessing, to: context.output(named: split)) { written in
                    try context.checkCancelled()
                    let step = done + written
                    context.report(StageProgress(step: step, totalSteps: total, items: step, itemUnit: "img", message: "decoding \(split)"))
                }
                context.recordDigest(digest, ofOutput: split)
            }
            done += listing.count
            metrics["\(split).examples"] = Double(listing.count)
        }
        for output in node.outputs where metrics["\(output).examples"] == nil {
            throw StageError(stage: node.id, "produced no split `\(output)` (it has: \(kept.map(\.split).joined(separator: ", ")))",
                             help: "rerun `assay check`; the declared splits and the data disagree")
        }
        return metrics
    }

    /// Stage metrics summarising written splits: `<split>.examples`.
    static func sizeMetrics(_ splits: DatasetSplits) -> [String: Double] {
        var metrics: [String: Double] = [:]
        for (name, dataset) in splits.all { metrics["\(name).examples"] = Double(dataset.count) }
        return metrics
    }

    /// Turns a data-library error into a stage error naming the stage (the message already
    /// carries the path, CSV line or class name).
    static func wrap<T>(_ node: PlanNode, _ path: String? = nil, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StageError { throw error } catch let error as DataError {
            throw StageError(stage: node.id, path: path, error.description)
        } catch let error as EngineError { throw error } catch {
            throw StageError(stage: node.id, path: path, "\(SystemErrorText.message(for: error))")
        }
    }
}
