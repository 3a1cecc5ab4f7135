import AssayEngine
import AssayLanguage
import AssayLSP
import AssayPlanner
import Foundation
import XCTest

/// Hover on a stage reads the store beside the file: cached or not, the key, the last metrics.
final class StageCacheHoverTests: XCTestCase {
    func testHoverOnAStageSaysWhetherItIsCachedWithItsLastMetrics() throws {
        let workspace = try Workspace()
        try workspace.write("common.yaml", Samples.common)
        let uri = try workspace.write("main.yaml", Samples.main)
        let file = workspace.root.appendingPathComponent("main.yaml")

        // Run the plan in `.assay/` beside the file with stand-in operators: every stage writes its
        // outputs and reports one metric, so the action cache holds real records for real keys.
        let checked = Checker.check(path: file.path)
        let experiment = try XCTUnwrap(checked.experiments.first, "\(checked.diagnostics)")
        let storeURL = Store.defaultRoot(forExperimentAt: file)
        let store = try Store(root: storeURL)
        let plan = try Planner(sources: SourceDigests(cacheFile: nil)).lower(experiment)
        let standIn = ClosureOperator { node, _, context in
            for output in node.outputs { try Data("\(node.id).\(output)".utf8).write(to: context.output(named: output)) }
            return StageResult(metrics: ["accuracy": 0.75])
        }
        var operators: [String: any StageOperator] = [:]
        for node in plan.nodes { operators[node.operatorName] = standIn }
        let run = try Engine(store: store, operators: operators).run(plan)
        XCTAssertTrue(run.failed.isEmpty, "\(run.stages)")

        let client = LSPTestClient()
        client.open(uri, Samples.main)
        XCTAssertEqual(client.diagnostics(uri)?.count, 0)
        func hover(_ needle: String, in text: String = Samples.main) -> String {
            let at = place(of: needle, in: text, offset: 1)
            let reply = client.request("textDocument/hover", client.position(uri, at.line, at.character))
            return ((reply["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String ?? "no hover: \(reply)"
        }
        let cached = hover("erm:")
        XCTAssertTrue(cached.contains("**cached** in `\(storeURL.standardizedFileURL.path)`"), cached)
        XCTAssertTrue(cached.contains("last metrics: accuracy 0.75"), cached)
        let key = try XCTUnwrap(run.report(stage: "erm")?.key?.hex)
        XCTAssertTrue(cached.contains("key: `\(key.prefix(16))…`"), cached)
        // An unsaved edit of `viz` changes its key: the hover follows the buffer.
        let edited = Samples.main.replacingOccurrences(of: "top: 4", with: "top: 5")
        client.change(uri, version: 2, [["text": edited]])
        XCTAssertEqual(client.diagnostics(uri)?.count, 0)
        let pending = hover("viz:", in: edited)
        XCTAssertTrue(pending.contains("not cached in"), pending)
        XCTAssertTrue(hover("erm:", in: edited).contains("**cached**"))
        XCTAssertEqual(client.shutdown(), 0)
    }
}
