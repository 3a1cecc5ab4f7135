import AssayEngine
import AssayLanguage
import AssayPlanner
import AssaySupport
import AssayTestSupport
import Foundation
import XCTest

/// The plan cache reuses a check only while nothing it read has changed. Each kind of input the
/// checker or the planner reads is edited here, and the cached plan must be refused (naming what
/// changed) and a fresh check must see the edit — with its diagnostic when the edit broke the file.
/// File-system looks are counted, not timed: validating an entry costs one look per recorded input,
/// however many stages the plan has.
final class PlanCacheTests: XCTestCase {
    var directory: URL!
    var store: Store!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plan-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(root: directory.appendingPathComponent(".assay"), durable: false)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    // MARK: Helpers: the sequence `assay run/plan/status` follows

    func cache(_ file: URL, overrides: [(String, String)] = [], tool: String = "test") -> PlanCache {
        PlanCache(store: store, request: PlanCache.Request(file: file.path, overrides: overrides, tool: tool))
    }

    func sources() -> SourceDigests { SourceDigests(cacheFile: store.root.appendingPathComponent("sources.json")) }

    /// Checks and lowers `file` and files the result, as a command does after a miss.
    @discardableResult
    func checkAndSave(_ file: URL, overrides: [(String, String)] = [], tool: String = "test") throws -> (check: CheckResult, plan: CachedPlan?) {
        let check = Checker.check(path: file.path, overrides: overrides)
        guard !check.hasErrors else { return (check, nil) }
        let digests = sources()
        let planned = try Planner(sources: digests).lower(points: check.experiments)
        let plan = CachedPlan(planned: planned, experimentDigest: Digest.of(try Data(contentsOf: file)))
        cache(file, overrides: overrides, tool: tool).save(plan, check: check, sources: digests)
        return (check, plan)
    }

    func lookup(_ file: URL, overrides: [(String, String)] = [], tool: String = "test") -> Result<CachedPlan, PlanCache.Miss> {
        cache(file, overrides: overrides, tool: tool).lookup(sources: sources())
    }

    func miss(_ result: Result<CachedPlan, PlanCache.Miss>) -> PlanCache.Miss? {
        if case .failure(let miss) = result { return miss }
        return nil
    }

    func write(_ text: String, to name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// File times within the timestamp granularity of a check's start make its inputs racy (only a
    /// content comparison, or a new check, can then tell); fixtures are made older than that first.
    func waitOutTimestampGranularity() {
        Thread.sleep(forTimeInterval: Double(FileIdentity.timestampGranularityNanoseconds) / 1e9 + 0.1)
    }

    static func fan(_ splits: Int, seed: Int = 0) -> String {
        var text = "assay: 1\nname: fan\nparams:\n"
        for i in 0..<splits { text += "  s\(i): \(i + seed)\n" }
        text += "datasets:\n  source:\n    synthetic: { generator: blobs, classes: 2, shape: [1, 4, 4], samples: { train: 16, test: 4 } }\n"
        for i in 0..<splits { text += "  d\(i): { from: source, split: { val: { from: train, size: 4 }, seed: $s\(i) } }\n" }
        return text
    }

    func assertSamePlans(_ a: CachedPlan, _ b: CachedPlan, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.points.map(\.label), b.points.map(\.label), file: file, line: line)
        XCTAssertEqual(a.points.map(\.plan.nodes), b.points.map(\.plan.nodes), file: file, line: line)
        XCTAssertEqual(a.points.map(\.plan.order), b.points.map(\.plan.order), file: file, line: line)
        XCTAssertEqual(a.parametersJSON, b.parametersJSON, file: file, line: line)
        XCTAssertEqual(a.parametersDigest, b.parametersDigest, file: file, line: line)
        XCTAssertEqual(a.experimentDigest, b.experimentDigest, file: file, line: line)
        XCTAssertEqual(a.name, b.name, file: file, line: line)
        XCTAssertEqual(a.executor, b.executor, file: file, line: line)
    }

    // MARK: Reuse

    func testAnUnchangedExperimentIsReusedWithTheSamePlanAndLooksAtNothingPerStage() throws {
        var recorded: [Int: Int] = [:]
        for splits in [20, 200] {
            let file = try write(Self.fan(splits), to: "fan-\(splits).yaml")
            let (check, fresh) = try checkAndSave(file)
            let plan = try XCTUnwrap(fresh, "\(check.diagnostics)")
            guard case .success(let cached) = lookup(file) else { return XCTFail("no hit: \(lookup(file))") }
            assertSamePlans(cached, plan)
            XCTAssertEqual(cached.points.first?.plan.nodes.count, splits + 1)
            recorded[splits] = check.inputs.items.count
        }
        // What validation looks at: the experiment file, nothing per stage (no stage of the fan
        // reads a file), so ten times the stages is the same number of looks.
        XCTAssertEqual(recorded[20], 1)
        XCTAssertEqual(recorded[200], 1)
    }

    func testEditingTheExperimentRecomputesButRewritingTheSameBytesDoesNot() throws {
        let file = try write(Self.fan(3), to: "fan.yaml")
        waitOutTimestampGranularity()
        try checkAndSave(file)
        // An editor saving unchanged text (new inode, new times): the contents decide.
        _ = try write(Self.fan(3), to: "fan.yaml")
        guard case .success = lookup(file) else { return XCTFail("same bytes must be reused: \(lookup(file))") }
        // A changed seed: refused, and a fresh check sees the new value.
        _ = try write(Self.fan(3, seed: 7), to: "fan.yaml")
        XCTAssertEqual(miss(lookup(file)), .changed(path: file.path))
        let fresh = try XCTUnwrap(try checkAndSave(file).plan)
        XCTAssertTrue(fresh.parametersJSON.contains("7"))
        guard case .success(let cached) = lookup(file) else { return XCTFail("the new check must be filed: \(lookup(file))") }
        assertSamePlans(cached, fresh)
        // Broken now: refused, and the check reports it.
        _ = try write(Self.fan(3) + "  d9: { from: nowhere }\n", to: "fan.yaml")
        XCTAssertEqual(miss(lookup(file)), .changed(path: file.path))
        XCTAssertTrue(try checkAndSave(file).check.hasErrors)
        XCTAssertEqual(miss(lookup(file)), .changed(path: file.path), "a failed check files nothing")
    }

    func testEditingAnIncludedFileRecomputes() throws {
        let shared = try write("assay: 1\nparams:\n  seed: 1\n", to: "shared.yaml")
        let file = try write("""
            assay: 1
            include: [shared.yaml]
            datasets:
              source: { synthetic: { classes: 2, shape: [1, 4, 4], samples: { train: 16, test: 4 } } }
              d: { from: source, split: { val: { from: train, size: 4 }, seed: $seed } }
            """, to: "main.yaml")
        waitOutTimestampGranularity()
        let first = try XCTUnwrap(try checkAndSave(file).plan)
        guard case .success = lookup(file) else { return XCTFail("\(lookup(file))") }
        _ = try write("assay: 1\nparams:\n  seed: 2\n", to: "shared.yaml")
        XCTAssertEqual(miss(lookup(file)), .changed(path: shared.path))
        let second = try XCTUnwrap(try checkAndSave(file).plan)
        XCTAssertNotEqual(first.parametersDigest, second.parametersDigest)
        _ = try write("assay: 1\nparams:\n  seed: [oops\n", to: "shared.yaml")
        XCTAssertEqual(miss(lookup(file)), .changed(path: shared.path))
        XCTAssertTrue(try checkAndSave(file).check.hasErrors, "the broken include is reported")
    }

    func testOverridesAndTheToolVersionAreInTheKey() throws {
        let file = try write(Self.fan(2), to: "fan.yaml")
        try checkAndSave(file, overrides: [("s0", "5")])
        guard case .success(let cached) = lookup(file, overrides: [("s0", "5")]) else { return XCTFail("\(lookup(file))") }
        XCTAssertTrue(cached.parametersJSON.contains("\"s0\":5"))
        XCTAssertEqual(miss(lookup(file)), .absent, "no override: another entry")
        XCTAssertEqual(miss(lookup(file, overrides: [("s0", "6")])), .absent)
        XCTAssertEqual(miss(lookup(file, overrides: [("s0", "5")], tool: "newer")), .absent, "another tool version never reuses a check")
    }

    func testACheckWithWarningsIsNotFiledSoItsWarningsAreShownEveryTime() throws {
        let file = try write(Self.fan(1).replacingOccurrences(of: "params:\n", with: "params:\n  unused: 3\n"), to: "fan.yaml")
        let check = try checkAndSave(file).check
        XCTAssertFalse(check.hasErrors)
        XCTAssertFalse(check.diagnostics.isEmpty, "the unused parameter is warned about")
        XCTAssertEqual(miss(lookup(file)), .absent)
    }

    // MARK: Files the checker and the planner read

    /// An image folder: `root` is probed and hashed by the planner, the metadata CSV's header read.
    func imageFolder() throws -> (experiment: URL, root: URL) {
        let root = directory.appendingPathComponent("birds")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "img_filename,y,split\n0.png,0,0\n1.png,1,0\n".write(to: root.appendingPathComponent("metadata.csv"), atomically: true, encoding: .utf8)
        for i in 0..<2 { try Data([UInt8(i)]).write(to: root.appendingPathComponent("\(i).png")) }
        let file = try write("""
            assay: 1
            datasets:
              birds:
                image-folder: { root: birds, classes: [landbird, waterbird], size: [4, 5] }
            """, to: "birds.yaml")
        return (file, root)
    }

    func testEditingAHeaderTheCheckerReadRecomputesAndReportsTheNowBadFile() throws {
        let (file, root) = try imageFolder()
        waitOutTimestampGranularity()
        let first = try checkAndSave(file)
        XCTAssertNotNil(first.plan, "\(first.check.diagnostics)")
        XCTAssertTrue(first.check.inputs.items.contains { if case .contents(let path, _) = $0 { return path.hasSuffix("metadata.csv") }; return false })
        guard case .success = lookup(file) else { return XCTFail("\(lookup(file))") }
        let csv = root.appendingPathComponent("metadata.csv")
        try "img_filename,label,split\n0.png,0,0\n1.png,1,0\n".write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertEqual(miss(lookup(file)), .changed(path: csv.path))
        let again = try checkAndSave(file).check
        XCTAssertTrue(again.diagnostics.contains { $0.id == "unknown-column" }, "\(again.diagnostics)")
    }

    func testAChangedSourceFileRecomputesTheKeyThePlanCarries() throws {
        let (file, root) = try imageFolder()
        waitOutTimestampGranularity()
        let first = try XCTUnwrap(try checkAndSave(file).plan)
        guard case .success = lookup(file) else { return XCTFail("\(lookup(file))") }
        // The checker does not read images; the planner hashes the folder into the load's parameters.
        try Data([9, 9]).write(to: root.appendingPathComponent("1.png"))
        XCTAssertEqual(miss(lookup(file)), .changed(path: root.path))
        let second = try XCTUnwrap(try checkAndSave(file).plan)
        XCTAssertNotEqual(first.points[0].plan.nodes.map(\.parameters), second.points[0].plan.nodes.map(\.parameters))
    }

    func testARemovedFolderTheCheckerProbedIsReportedAgain() throws {
        let root = directory.appendingPathComponent("camvid")
        for folder in ["train", "trainannot", "val", "valannot", "test", "testannot"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let file = try write("""
            assay: 1
            datasets:
              streets: { camvid: { root: camvid, size: [8, 8] } }
            """, to: "streets.yaml")
        waitOutTimestampGranularity()
        let first = try checkAndSave(file)
        XCTAssertNotNil(first.plan, "\(first.check.diagnostics)")
        guard case .success = lookup(file) else { return XCTFail("\(lookup(file))") }
        let removed = root.appendingPathComponent("testannot")
        try FileManager.default.removeItem(at: removed)
        XCTAssertEqual(miss(lookup(file)), .changed(path: removed.path))
        XCTAssertTrue(try checkAndSave(file).check.diagnostics.contains { $0.id == "path-not-found" })
    }

    /// A safetensors file of zeros (F32) holding `tensors`.
    func writeSafetensors(_ tensors: [TensorSpec], to url: URL) throws {
        try zeroSafetensors(tensors.map { ($0.name, $0.shape) }).write(to: url)
    }

    func testEditingAWeightsFileWhoseHeaderTheCheckerReadRecomputesAndReportsAMismatch() throws {
        func segmentation(_ weights: String) -> String {
            """
            assay: 1
            datasets:
              blobs: { synthetic: { shape: [3, 16, 16], classes: 2 } }
              scenes:
                compose: { items: blobs, canvas: [32, 32] }
            segmentation:
              parts: { data: scenes }
            models:
              seg: { squeeze-segnet: { target: parts, width: 0.25\(weights) } }
            stages:
              fit: { segmentation-train: { model: seg, data: scenes.train, target: parts } }
            """
        }
        let plain = try write(segmentation(""), to: "plain.yaml")
        let spec = try XCTUnwrap(Checker.check(path: plain.path).experiments.first?.models["seg"])
        var tensors = SqueezeNetEncoder.expectedTensors(of: spec)
        let weights = directory.appendingPathComponent("squeezenet.safetensors")
        try writeSafetensors(tensors, to: weights)
        let file = try write(segmentation(", encoder-weights: squeezenet.safetensors"), to: "seg.yaml")
        waitOutTimestampGranularity()
        let first = try checkAndSave(file)
        XCTAssertNotNil(first.plan, "\(first.check.diagnostics)")
        guard case .success = lookup(file) else { return XCTFail("\(lookup(file))") }
        tensors[0].shape[0] += 1
        try writeSafetensors(tensors, to: weights)
        XCTAssertEqual(miss(lookup(file)), .changed(path: weights.path))
        XCTAssertTrue(try checkAndSave(file).check.diagnostics.contains { $0.id == "weights-mismatch" })
    }

    // MARK: The entry itself

    func testADamagedEntryIsIgnoredAndRewritten() throws {
        let file = try write(Self.fan(5), to: "fan.yaml")
        let plan = try XCTUnwrap(try checkAndSave(file).plan)
        let key = try XCTUnwrap(cache(file).key)
        let entry = store.root.appendingPathComponent("plans").appendingPathComponent(key.hex)
        let good = try Data(contentsOf: entry)
        var flipped = good
        flipped[flipped.count / 2] ^= 0x20
        // Flipped, truncated (by half, by one byte), empty, a bare magic line, and an entry of the
        // format before the CRC (it ended with a SHA-256).
        let older = Data("assay-plan-cache 1\n".utf8) + good.dropFirst(19).dropLast(4) + Data(repeating: 0, count: 32)
        for damaged in [flipped, good.prefix(good.count / 2), good.dropLast(), Data(), Data("assay-plan-cache 2\n".utf8), older] {
            try damaged.write(to: entry)
            XCTAssertEqual(miss(lookup(file)), .damaged, "\(damaged.count) bytes")
        }
        try checkAndSave(file)
        guard case .success(let cached) = lookup(file) else { return XCTFail("\(lookup(file))") }
        assertSamePlans(cached, plan)
    }
}
