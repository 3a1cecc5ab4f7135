import AssayEngine
import AssayLanguage
import AssayPlanner
import AssaySupport
import Foundation

/// Finds a trained model in the store for `assay export-model`: the `model` output of a stage of
/// the experiment as it is now (its key in the action cache), or the object a digest names.
///
/// ```swift
/// let found = try ModelArtifactLocator.artifact(ofStage: "erm", point: nil, points: planned, engine: engine,
///                                               file: "exp.yaml", options: "-p epochs=3")
/// try ModelExport.export(artifact: found.url, to: URL(fileURLWithPath: "erm.safetensors"))
/// ```
enum ModelArtifactLocator {
    /// Why no model artifact could be found, phrased for the command line: what is wrong and what to run.
    struct Failure: Error, CustomStringConvertible, Equatable {
        var message: String
        var help: String

        var description: String { "\(message)\n  = help: \(help)" }
    }

    struct Found: Equatable {
        /// The stored object (read-only).
        var url: URL
        var digest: Digest
    }

    /// The trained model stage `stage` produced for sweep point `point` (nil: the only point).
    /// `options` are the command-line options that select this experiment (`-p`, `--store`), repeated
    /// in the commands the advice quotes when the stage's result is not in the store.
    static func artifact(ofStage stage: String, point: String?, points: [CachedPlan.Point], engine: Engine,
                                file: String, options: String = "") throws -> Found {
        let labels = points.map(\.label)
        let chosen: CachedPlan.Point
        if let point {
            guard let match = points.first(where: { $0.label == point }) else {
                throw Failure(message: "`\(point)` is not a sweep point of \(file)",
                              help: labels == [""] ? "\(file) has no sweep: leave out --point" : "points are: \(labels.joined(separator: "; "))")
            }
            chosen = match
        } else {
            guard points.count == 1, let only = points.first else {
                throw Failure(message: "\(file) sweeps over \(points.count) points: say which point's model to export",
                              help: "add --point with one of: \(labels.joined(separator: "; "))")
            }
            chosen = only
        }
        let exportable = chosen.plan.nodes.filter { modelOutput(of: $0) != nil }.map(\.id)
        let choices = exportable.isEmpty ? "\(file) has no stage that trains a model (train, attack, segmentation-train)"
            : "stages with a trained model: \(exportable.joined(separator: ", "))"
        guard let node = chosen.plan[stage] else {
            let suggestion = EditDistance.suggestion(for: stage, among: exportable).map { "did you mean `\($0)`? " } ?? ""
            throw Failure(message: "no stage `\(stage)` in \(file)", help: suggestion + choices)
        }
        guard let output = modelOutput(of: node) else {
            let outputs = node.outputs.joined(separator: ", ")
            let article = node.operatorName.first.map { "aeiou".contains($0) } == true ? "an" : "a"
            throw Failure(message: "stage `\(stage)` is \(article) `\(node.operatorName)` stage: its outputs (\(outputs)) hold no trained model", help: choices)
        }
        let status = try engine.status(points: [(point: chosen.label, plan: chosen.plan)])
        let pointText = chosen.label.isEmpty ? "" : " at point \(chosen.label)"
        guard let report = status.report(stage: stage, point: chosen.label), report.status == .hit, let digest = report.outputs[output] else {
            throw Failure(message: "stage `\(stage)`\(pointText) has no result in the store for the experiment as it is now",
                          help: "run `assay run \(file)\(options)` first (`assay explain \(file) \(stage)\(options)` says what changed since an earlier run)")
        }
        return Found(url: engine.store.objectURL(digest), digest: digest)
    }

    /// The stored object whose digest is `text` (64 hex digits, or a unique prefix of at least 8).
    static func artifact(digest text: String, store: Store) throws -> Found {
        let hex = text.lowercased()
        guard hex.count >= 8, hex.count <= 64, hex.allSatisfy({ $0.isHexDigit }) else {
            throw Failure(message: "`\(text)` is not an artifact digest", help: "give the 64 hex digits `assay show STAGE` prints for an output, or a unique prefix of at least 8")
        }
        let matches = store.objects(withPrefix: hex)
        guard let digest = matches.first else {
            throw Failure(message: "no artifact `\(text)` in the store \(store.root.path)", help: "`assay show STAGE --store DIR` lists a stage's outputs with their digests")
        }
        guard matches.count == 1 else {
            throw Failure(message: "`\(text)` names \(matches.count) artifacts in the store", help: "give more digits: \(matches.map { String($0.hex.prefix(16)) }.joined(separator: ", "))")
        }
        return Found(url: store.objectURL(digest), digest: digest)
    }

    /// The output slot of a plan node that holds a trained model, if its operator has one.
    static func modelOutput(of node: PlanNode) -> String? {
        OperatorRegistry.standard.signature(node.operatorName)?.outputs.first { $0.type == .trainedModel && node.outputs.contains($0.name) }?.name
    }
}
