import AssayEngine
import AssayLanguage
import AssayPlanner
import AssaySupport
import Foundation
import XCTest

final class PlannerTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("planner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func experiment(dataPath: String, epochs: Int = 3, file: String? = nil) -> CheckedExperiment {
        let span = SourceSpan.startOf("x.yaml")
        let load = StageInstance(
            id: "datasets.fmnist", operatorName: "load-fashion-mnist", operatorVersion: 1,
            parameters: .map(["path": .string(dataPath), "limit": .null]), inputs: [:],
            outputs: ["train": .dataset, "test": .dataset], resources: ResourceSpec(), span: span,
            files: ["path": ExperimentPath.resolve(dataPath, relativeTo: directory.path)])
        let train = StageInstance(
            id: "erm", operatorName: "train", operatorVersion: 1, parameters: .map(["epochs": .int(epochs)]),
            inputs: ["data": StageOutputRef(stage: "datasets.fmnist", output: "train")],
            outputs: ["model": .trainedModel, "metrics": .metrics], resources: ResourceSpec(cpus: 2), span: span)
        return CheckedExperiment(
            name: "t", description: nil, file: file ?? directory.appendingPathComponent("exp.yaml").path, parameters: [:],
            sweepPoint: [:], stages: [load, train], models: [:], executor: .null)
    }

    func makeSource(_ name: String, contents: String) throws -> URL {
        let folder = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try contents.write(to: folder.appendingPathComponent("train-images-idx3-ubyte.gz"), atomically: true, encoding: .utf8)
        return folder
    }

    func testPathParametersEnterTheKeyByContentAndTheirLocationGoesToLocals() throws {
        let source = try makeSource("data", contents: "pixels")
        let planner = Planner(sources: SourceDigests(cacheFile: nil))
        let plan = try planner.lower(experiment(dataPath: "data"))
        let load = plan.nodes[plan.indexByID["datasets.fmnist"]!]
        let parameters = try CanonicalValue(json: load.parameters)
        XCTAssertNotNil(parameters["sources"]?["path"]?.stringValue)
        XCTAssertEqual(load.locals["path:path"], source.path)
        XCTAssertEqual(load.locals["experiment-dir"], directory.path)
        let train = plan.nodes[plan.indexByID["erm"]!]
        XCTAssertEqual(train.inputs, [PlanInput(slot: "data", node: "datasets.fmnist", output: "train")])
        XCTAssertEqual(train.resources["cpus"], "2")
        XCTAssertEqual(train.outputs, ["metrics", "model"])
    }

    func testSameContentInAnotherFolderGivesTheSameParametersButEditedContentDoesNot() throws {
        _ = try makeSource("a", contents: "pixels")
        _ = try makeSource("b", contents: "pixels")
        let planner = Planner(sources: SourceDigests(cacheFile: nil))
        func digest(_ path: String) throws -> String? {
            let plan = try planner.lower(experiment(dataPath: path))
            return try CanonicalValue(json: plan.nodes[plan.indexByID["datasets.fmnist"]!].parameters)["sources"]?["path"]?.stringValue
        }
        XCTAssertEqual(try digest("a"), try digest("b"))
        _ = try makeSource("b", contents: "other pixels")
        XCTAssertNotEqual(try digest("a"), try digest("b"))
    }

    func testRememberedDigestsAreReusedAcrossPlannersAndRefreshedWhenAFileChanges() throws {
        _ = try makeSource("data", contents: "pixels")
        let cache = directory.appendingPathComponent("store/sources.json")
        let first = SourceDigests(cacheFile: cache)
        let d1 = try first.digest(of: directory.appendingPathComponent("data").path)
        first.save()
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache.path))
        let second = SourceDigests(cacheFile: cache)
        XCTAssertEqual(try second.digest(of: directory.appendingPathComponent("data").path), d1)
        try "new pixels!".write(to: directory.appendingPathComponent("data/train-images-idx3-ubyte.gz"), atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try second.digest(of: directory.appendingPathComponent("data").path), d1)
    }

    /// The folder digest is what stage keys hold, so its formula is pinned: "assay-folder\n", then each
    /// file's relative path, a NUL and its digest, in byte order of the paths; top-level hidden entries
    /// are left out (the store may live inside the folder).
    func testAFolderDigestListsItsFilesInByteOrderWithTheirDigests() throws {
        let root = directory.appendingPathComponent("folder")
        let files = [("a/b", "1"), ("a.txt", "2"), ("B", "3"), ("a/.c", "4"), (".hidden/x", "5"), (".h", "6")]
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        var hasher = SHA256Hasher()
        hasher.update("assay-folder\n")
        for path in ["B", "a.txt", "a/.c", "a/b"] {  // '.' (2E) sorts before '/' (2F)
            hasher.update(path)
            hasher.update("\0")
            hasher.update(Digest.of(Array(files.first { $0.0 == path }!.1.utf8)).bytes)
        }
        let expected = hasher.finalize()
        let sources = SourceDigests(cacheFile: nil)
        XCTAssertEqual(try sources.digest(of: root.path), expected)
        XCTAssertEqual(try sources.digest(of: root.path), expected, "and again from what it remembers")
        try "22".write(to: root.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try sources.digest(of: root.path), expected, "a changed file changes the digest")
    }

    func testAMissingSourceIsAnErrorNamingThePath() throws {
        let planner = Planner(sources: SourceDigests(cacheFile: nil))
        XCTAssertThrowsError(try planner.lower(experiment(dataPath: "nowhere"))) { error in
            XCTAssertEqual(error as? PlannerError, .sourceMissing(path: self.directory.appendingPathComponent("nowhere").path))
        }
    }

    /// The checker declares the files a stage reads; the planner hashes exactly those (model
    /// weights included), with the locations the checker resolved.
    func testThePlannerHashesTheFilesTheCheckerDeclared() throws {
        let weights = directory.appendingPathComponent("w.safetensors")
        try "weights".write(to: weights, atomically: true, encoding: .utf8)
        let span = SourceSpan.startOf("x.yaml")
        let train = StageInstance(
            id: "erm", operatorName: "train", operatorVersion: 1, parameters: .map(["model": .map(["weights": "w.safetensors"])]), inputs: [:],
            outputs: ["model": .trainedModel], resources: ResourceSpec(), span: span, files: ["model.weights": weights.path])
        let checked = CheckedExperiment(name: "t", description: nil, file: directory.appendingPathComponent("exp.yaml").path, parameters: [:],
                                        sweepPoint: [:], stages: [train], models: [:], executor: .null)
        let node = try Planner(sources: SourceDigests(cacheFile: nil)).lower(checked).nodes[0]
        let parameters = try CanonicalValue(json: node.parameters)
        XCTAssertEqual(parameters["sources"]?.mapValue?.keys.sorted(), ["model.weights"])
        XCTAssertEqual(node.locals["path:model.weights"], weights.path)
    }

    func testSweepPointsAreLabelledByTheirSortedValues() {
        XCTAssertEqual(Planner.label(of: [:]), "")
        XCTAssertEqual(Planner.label(of: ["seed": .int(1), "lr": .double(0.01), "opt": .string("adam")]), "lr=0.01,opt=adam,seed=1")
    }
}
