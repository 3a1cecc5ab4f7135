import AssayLanguage
import AssaySupport
import XCTest

final class IncludeTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("assay-include-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try write("lib/data.yaml", "params:\n  seed: 1\ndatasets:\n  fmnist: { fashion-mnist: {} }\nmodels:\n  cnn: { small-cnn: { width: 0.5 } }\n")
        try write("lib/other.yaml", "models:\n  cnn: { small-cnn: { width: 0.25 } }\n")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func check(_ text: String) throws -> CheckResult {
        try write("main.yaml", text)
        return Checker.check(path: folder.appendingPathComponent("main.yaml").path)
    }

    func testIncludingFileOverridesIncludedEntriesAsAWhole() throws {
        let result = try check("assay: 1\ninclude: [lib/data.yaml]\nparams:\n  seed: 7\nmodels:\n  cnn: { small-cnn: { width: 2.0 } }\nstages:\n  t: { train: { model: cnn, data: fmnist.train, seed: $seed } }\n")
        XCTAssertEqual(result.diagnostics, [])
        let experiment = try XCTUnwrap(result.experiments.first)
        XCTAssertEqual(experiment.parameters["seed"], 7)
        XCTAssertEqual(experiment.models["cnn"]?.width, 2.0)
    }

    func testTwoIncludesDefiningOneNameConflictUnlessTheIncluderChooses() throws {
        let conflict = try check("assay: 1\ninclude: [lib/data.yaml, lib/other.yaml]\nstages:\n  t: { train: { model: cnn, data: fmnist.train } }\n")
        XCTAssertEqual(conflict.diagnostics.map(\.id), ["include-conflict"])
        XCTAssertEqual(conflict.diagnostics.first?.notes.first?.span?.file.hasSuffix("lib/data.yaml"), true)
        let chosen = try check("assay: 1\ninclude: [lib/data.yaml, lib/other.yaml]\nmodels:\n  cnn: { small-cnn: {} }\nstages:\n  t: { train: { model: cnn, data: fmnist.train } }\n")
        XCTAssertEqual(chosen.diagnostics, [])
    }

    func testErrorsInIncludedFilesPointIntoThoseFiles() throws {
        try write("lib/bad.yaml", "datasets:\n  broken: { fashion-mnst: {} }\n")
        let result = try check("assay: 1\ninclude: lib/bad.yaml\n")
        XCTAssertEqual(Set(result.diagnostics.map(\.id)), ["unknown-field", "missing-source"])
        XCTAssertTrue(result.diagnostics.allSatisfy { $0.span?.file.hasSuffix("lib/bad.yaml") == true })
        XCTAssertEqual(result.sources.count, 2)
    }
}
