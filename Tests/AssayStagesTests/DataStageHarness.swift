import AssayData
import AssayEngine
import AssayStages
import AssaySupport
import Foundation
import XCTest

/// A temporary store and engine with the standard operators, running hand-built plans, with
/// helpers to read outputs back. Shared by the Data, Training and GroupRobustness tests.
final class StageHarness: @unchecked Sendable {
    let directory: URL
    let store: Store
    let engine: Engine

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-stages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(root: directory.appendingPathComponent(".assay"))
        engine = Engine(store: store, operators: OperatorCatalog.standard)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static func node(_ id: String, _ op: String, _ parameters: CanonicalValue, inputs: [(String, String, String)] = [], outputs: [String],
                     locals: [String: String] = [:]) -> PlanNode {
        PlanNode(id: id, operatorName: op, operatorVersion: 1, parameters: parameters.canonicalJSON,
                 inputs: inputs.map { PlanInput(slot: $0.0, node: $0.1, output: $0.2) }, outputs: outputs, locals: locals)
    }

    func run(_ nodes: [PlanNode], threads: Int = 2, observer: @escaping @Sendable (EngineEvent) -> Void = { _ in }) throws -> RunResult {
        try engine.run(Plan(nodes: nodes), options: RunOptions(threadsPerStage: threads, recordHistory: false), observer: observer)
    }

    /// Runs and fails the test for any failed stage.
    func runSucceeding(_ nodes: [PlanNode], threads: Int = 2, file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let result = try run(nodes, threads: threads)
        for report in result.stages {
            if case .failed(let message) = report.status { XCTFail("stage \(report.stage) failed: \(message)", file: file, line: line) }
        }
        return result
    }

    func url(_ result: RunResult, _ stage: String, _ output: String) throws -> URL {
        let digest = try XCTUnwrap(result.report(stage: stage)?.outputs[output], "no output \(stage).\(output)")
        return URL(fileURLWithPath: store.objectPath(digest))
    }

    func dataset(_ result: RunResult, _ stage: String, _ output: String) throws -> ImageDataset {
        try DatasetArtifact.readDataset(from: url(result, stage, output))
    }

    /// The failure message of `stage`, if it failed.
    static func failure(_ result: RunResult, _ stage: String) -> String? {
        if case .failed(let message)? = result.report(stage: stage)?.status { return message }
        return nil
    }

    /// A two-class synthetic data set with a spurious border (`train` at `correlation`, `test` at 0.5) and its groups.
    static func borderedSynthetic(train: Int = 400, test: Int = 200, correlation: Double = 0.9, seed: Int = 0) -> [PlanNode] {
        [
            node("synthetic", "load-synthetic",
                 ["generator": "blobs", "classes": 2, "shape": [1, 12, 12], "samples": ["train": .int(train), "test": .int(test)], "noise": 0.3, "seed": .int(seed)],
                 outputs: ["test", "train"]),
            node("bordered", "derive",
                 ["label": .null, "attribute": ["kind": "border", "name": "border", "size": 1, "correlation": ["train": .double(correlation), "test": 0.5]], "seed": .int(seed)],
                 inputs: [("source.train", "synthetic", "train"), ("source.test", "synthetic", "test")], outputs: ["test", "train"]),
            node("groups", "group-split", ["by": ["label", "border"], "balance": "subsample", "seed": .int(seed)],
                 inputs: [("source.train", "bordered", "train"), ("source.test", "bordered", "test")], outputs: ["groups"]),
        ]
    }
}
