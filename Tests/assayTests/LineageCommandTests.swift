import AssayEngine
import AssayPlanner
import AssaySupport
import Foundation
import XCTest

/// `assay lineage` on the main example (experiments/colored-fmnist-dfr.yaml, sized down),
/// checked node by node against the run's history and the store's action records.
final class LineageCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lineage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("experiments/colored-fmnist-dfr.yaml")
    static let fashionMNIST = "/usr/share/datasets/fashion-mnist"
    static let small = ["-p", "train-size=240", "-p", "val-size=160", "-p", "test-size=120", "-p", "epochs=1"]

    func assay(_ arguments: [String]) throws -> AssayProcess.Outcome { try AssayProcess.run(arguments, in: directory) }

    func json(_ outcome: AssayProcess.Outcome) throws -> [String: Any] {
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], outcome.stdout)
    }

    func testLineageOfTheMainExamplesTableTracesEveryStageBackToFashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: Self.fashionMNIST) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("Fashion-MNIST is missing: run scripts/setup.sh") }
            throw XCTSkip("Fashion-MNIST is not installed at \(Self.fashionMNIST)")
        }
        let store = directory.appendingPathComponent("store")
        let run = try assay(["run", Self.example.path] + Self.small + ["--threads", "2", "--store", store.path, "--results", directory.appendingPathComponent("results").path])
        XCTAssertEqual(run.status, 0, run.stderr + run.stdout)

        // What the lineage must agree with: the run's stage rows and the store's records.
        let history = try History(path: store.appendingPathComponent("history.sqlite").path)
        let details = try history.run("last")
        let rows = Dictionary(uniqueKeysWithValues: details.stages.map { ($0.stage, $0) })
        let records = try Store(root: store)

        let lineage = try json(try assay(["lineage", "table", "--store", store.path, "--format", "json"]))
        let table = try XCTUnwrap(rows["table"])
        XCTAssertEqual(lineage["subjects"] as? [String], table.outputs.sorted { $0.key < $1.key }.map(\.value.hex))
        let upstream = try XCTUnwrap(lineage["upstream"] as? [[String: Any]])
        // Every stage of the run feeds the table: each appears once, after its producers.
        XCTAssertEqual(Set(upstream.compactMap { $0["stage"] as? String }), Set(rows.keys))
        XCTAssertEqual(upstream.count, rows.count)
        XCTAssertEqual(upstream.last?["stage"] as? String, "table")
        XCTAssertEqual((lineage["downstream"] as? [Any])?.count, 0, "nothing consumed the table")

        var listed = Set<String>()  // keys of the nodes listed so far
        for node in upstream {
            let stage = try XCTUnwrap(node["stage"] as? String)
            let row = try XCTUnwrap(rows[stage], stage)
            let key = try XCTUnwrap(row.key, stage)
            XCTAssertEqual(node["key"] as? String, key.hex, stage)
            XCTAssertEqual(node["run"] as? String, details.summary.id, stage)
            XCTAssertEqual(node["executed-in-run"] as? Bool, true, stage)
            XCTAssertEqual(node["outputs"] as? [String: String], row.outputs.mapValues(\.hex), stage)
            let record = try XCTUnwrap(try records.actionRecord(for: key), stage)
            XCTAssertEqual(node["operator"] as? String, record.operatorName, stage)
            // Inputs: the record's, each produced by a stage listed earlier.
            let inputs = try XCTUnwrap(node["inputs"] as? [[String: Any]], stage)
            XCTAssertEqual(inputs.map { $0["slot"] as? String }, record.inputs.map(\.slot), stage)
            XCTAssertEqual(inputs.map { $0["digest"] as? String }, record.inputs.map(\.digest.hex), stage)
            for input in inputs {
                // Equal bytes may come from several stages (a split passes `test` through): the
                // producer named is one that made these bytes, listed before its consumer.
                let digest = try XCTUnwrap(input["digest"] as? String)
                let producer = try XCTUnwrap(input["producer"] as? String, "\(stage) reads \(digest): no producer named")
                XCTAssertTrue(listed.contains(producer), "\(stage) reads \(digest) from \(producer), not listed before it")
                let made = details.stages.first { $0.key?.hex == producer }?.outputs.values.map(\.hex) ?? []
                XCTAssertTrue(made.contains(digest), "\(producer) did not produce \(digest)")
            }
            // Environment: recorded with the execution, with the thread count of the run.
            let environment = try XCTUnwrap(node["environment"] as? [String: String], stage)
            XCTAssertEqual(environment, record.environment, stage)
            XCTAssertEqual(environment["threads"], "2", stage)
            XCTAssertTrue(environment["blas"]?.contains("OpenBLAS") == true, "\(environment)")
            XCTAssertFalse((environment["cpu"] ?? "").isEmpty, "\(environment)")
            XCTAssertFalse((environment["instruction-set"] ?? "").isEmpty, "\(environment)")
            XCTAssertNotNil(environment["assay-version"])
            listed.insert(key.hex)
        }
        // The source: Fashion-MNIST's folder, with the digest the planner keyed the loader on.
        let sources = upstream.flatMap { ($0["sources"] as? [[String: String]]) ?? [] }
        XCTAssertEqual(sources.count, 1, "\(sources)")
        XCTAssertEqual(sources.first?["path"], Self.fashionMNIST)
        XCTAssertEqual(sources.first?["digest"], try SourceDigests(cacheFile: nil).digest(of: Self.fashionMNIST).hex)
        XCTAssertEqual(upstream.first?["stage"] as? String, "datasets.fmnist", "the sources come first")
        // The experiment file and the commit it was run at.
        let runInfo = try XCTUnwrap(lineage["run"] as? [String: String])
        XCTAssertEqual(runInfo["id"], details.summary.id)
        XCTAssertEqual(runInfo["experiment"], Self.example.standardizedFileURL.path)
        XCTAssertEqual(runInfo["experiment-digest"], Digest.of([UInt8](try Data(contentsOf: Self.example))).hex)
        XCTAssertEqual(runInfo["git-commit"], details.summary.gitCommit)

        // Downstream: the trained model is read by evaluation and features, and through them by the rest.
        let model = try XCTUnwrap(rows["erm"]?.outputs["model"], "\(rows["erm"]?.outputs ?? [:])")
        let ofModel = try json(try assay(["lineage", String(model.hex.prefix(16)), "--store", store.path, "--format", "json"]))
        let users = Set(((ofModel["downstream"] as? [[String: Any]]) ?? []).compactMap { $0["stage"] as? String })
        XCTAssertEqual(users, ["erm-eval", "features", "selected", "dfr", "all-layer", "table"])
        let makers = Set(((ofModel["upstream"] as? [[String: Any]]) ?? []).compactMap { $0["stage"] as? String })
        XCTAssertTrue(makers.contains("erm") && makers.contains("datasets.fmnist") && !makers.contains("features"), "\(makers)")

        // Text and Graphviz: one box per stage, one edge per input, output and source.
        let text = try assay(["lineage", "table", "--store", store.path])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("source path: \(Self.fashionMNIST)"), text.stdout)
        XCTAssertTrue(text.stdout.contains("used by: no later stage"), text.stdout)
        let dot = try assay(["lineage", "table", "--store", store.path, "--dot"])
        XCTAssertEqual(dot.status, 0, dot.stderr)
        XCTAssertTrue(dot.stdout.hasPrefix("digraph lineage {"))
        XCTAssertEqual(dot.stdout.components(separatedBy: "shape=box").count - 1, rows.count)
        XCTAssertTrue(dot.stdout.contains("label=\"table\\nreport\\nkey "), "line breaks in labels are Graphviz's \\n")
        let edges = upstream.reduce(0) { $0 + (($1["inputs"] as? [Any])?.count ?? 0) + (($1["outputs"] as? [String: Any])?.count ?? 0) } + sources.count
        XCTAssertEqual(dot.stdout.components(separatedBy: " -> ").count - 1, edges)

        // Unknown references are errors that say what is accepted.
        let unknown = try assay(["lineage", "no-such-stage", "--store", store.path])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("no artifact digest, stage key, run or stage"), unknown.stderr)
    }
}
