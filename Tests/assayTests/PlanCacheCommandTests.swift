import Foundation
import XCTest

/// The plan cache as a user meets it: `assay run`, `plan` and `status` of an unchanged
/// experiment answer from `plans/` exactly as a fresh check would, and an edit — including one
/// that breaks the file — is seen by the next command.
final class PlanCacheCommandTests: XCTestCase {
    var directory: URL!
    var file: URL { directory.appendingPathComponent("fan.yaml") }
    var plans: URL { directory.appendingPathComponent(".assay/plans") }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plan-cache-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func experiment(seed: Int, extra: String = "") -> String {
        """
        assay: 1
        name: fan
        params:
          a: 1
          b: \(seed)
        datasets:
          source: { synthetic: { classes: 2, shape: [1, 4, 4], samples: { train: 16, test: 4 } } }
          da: { from: source, split: { val: { from: train, size: 4 }, seed: $a } }
          db: { from: source, split: { val: { from: train, size: 4 }, seed: $b } }
        \(extra)
        """
    }

    func assay(_ arguments: String...) throws -> AssayProcess.Outcome {
        try AssayProcess(directory: directory).run(arguments)
    }

    /// A run's output without its run id.
    func withoutRunID(_ text: String) -> String {
        text.replacingOccurrences(of: #"run \d{8}-\d{6}-[0-9a-f]+"#, with: "run ID", options: .regularExpression)
    }

    func testCachedPlansAnswerLikeAFreshCheckAndEditsAreSeen() throws {
        try experiment(seed: 2).write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try assay("run", "fan.yaml").status, 0)
        let entries = try FileManager.default.contentsOfDirectory(atPath: plans.path)
        XCTAssertEqual(entries.count, 1, "one entry for this file and these overrides")
        // From the cache, then with the cache removed: the same answers.
        let cached = try (assay("plan", "fan.yaml"), assay("status", "fan.yaml"), assay("run", "fan.yaml"))
        try FileManager.default.removeItem(at: plans)
        let fresh = try (assay("plan", "fan.yaml"), assay("status", "fan.yaml"), assay("run", "fan.yaml"))
        XCTAssertEqual(cached.0.stdout, fresh.0.stdout)
        XCTAssertEqual(cached.1.stdout, fresh.1.stdout)
        XCTAssertEqual(withoutRunID(cached.2.stdout), withoutRunID(fresh.2.stdout))
        XCTAssertTrue(cached.1.stdout.contains("3 of 3 stages cached"), cached.1.stdout)

        // A new seed for `db`: its split would run.
        try experiment(seed: 9).write(to: file, atomically: true, encoding: .utf8)
        let edited = try assay("status", "fan.yaml")
        XCTAssertTrue(edited.stdout.contains("2 of 3 stages cached"), edited.stdout)
        XCTAssertTrue(edited.stdout.contains("would run: datasets.db"), edited.stdout)

        // Broken: the diagnostic, exit 1, whatever is cached.
        try experiment(seed: 9, extra: "  dc: { from: nowhere }").write(to: file, atomically: true, encoding: .utf8)
        let broken = try assay("status", "fan.yaml")
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.stderr.contains("error[unknown-dataset]"), broken.stderr)

        // `-p` overrides are part of the key: another entry, the override honoured.
        try experiment(seed: 2).write(to: file, atomically: true, encoding: .utf8)
        let overridden = try assay("status", "fan.yaml", "-p", "b=9")
        XCTAssertTrue(overridden.stdout.contains("2 of 3 stages cached"), overridden.stdout)
        XCTAssertTrue(try assay("status", "fan.yaml").stdout.contains("3 of 3 stages cached"))
    }

    func testGarbageCollectionEmptiesThePlanCache() throws {
        try experiment(seed: 2).write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try assay("run", "fan.yaml").status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: plans.path))
        XCTAssertEqual(try assay("gc", "--store", ".assay").status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: plans.path))
        XCTAssertTrue(try assay("status", "fan.yaml").stdout.contains("3 of 3 stages cached"))
    }
}
