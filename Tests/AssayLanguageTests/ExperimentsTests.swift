import AssayLanguage
import AssaySupport
import XCTest

final class ExperimentsTests: XCTestCase {
    func testEveryExampleExperimentChecksClean() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.experiments.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertGreaterThanOrEqual(files.count, 5)
        for file in files {
            let result = Checker.check(path: Repository.experiment(file).path)
            XCTAssertEqual(result.diagnostics.map(\.message), [], file)
            XCTAssertFalse(result.experiments.isEmpty, file)
        }
    }

    func testColoredFashionMNISTElaboratesImplicitDataStagesAndFillsDefaults() throws {
        let experiment = try XCTUnwrap(Checker.check(path: Repository.experiment("colored-fmnist-dfr.yaml").path).experiments.first)
        let ids = experiment.stages.map(\.id)
        XCTAssertEqual(Array(ids.prefix(3)), ["datasets.fmnist", "datasets.bordered", "datasets.bordered.derive"])
        XCTAssertTrue(ids.contains("groups.label-by-border"))
        let erm = try XCTUnwrap(experiment.stage("erm"))
        XCTAssertEqual(erm.operatorName, "train")
        XCTAssertEqual(erm.inputs["data"], StageOutputRef(stage: "datasets.bordered.derive", output: "train"))
        XCTAssertEqual(erm.parameters["batch-size"], .int(64))
        XCTAssertEqual(erm.parameters["lr"], .double(0.001))
        XCTAssertEqual(erm.parameters["model"]?["output"], [2])
        let features = try XCTUnwrap(experiment.stage("features"))
        XCTAssertEqual(features.inputs["data.1"], StageOutputRef(stage: "datasets.bordered.derive", output: "test"))
        // Dependency order: every input's producer comes earlier.
        var seen = Set<String>()
        for stage in experiment.stages {
            for dependency in stage.dependencies { XCTAssertTrue(seen.contains(dependency), "\(stage.id) before \(dependency)") }
            seen.insert(stage.id)
        }
    }

    func testWaterbirdsDataRootCanPointAtAGeneratedFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("assay-waterbirds-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "img_id,img_filename,y,split,place\n".write(to: folder.appendingPathComponent("metadata.csv"), atomically: true, encoding: .utf8)
        let path = Repository.experiment("waterbirds-dfr.yaml").path
        XCTAssertEqual(Checker.check(path: path, overrides: [("data-root", folder.path)]).diagnostics, [])
        let missing = Checker.check(path: path, overrides: [("data-root", folder.path + "-missing")])
        XCTAssertEqual(missing.diagnostics.map(\.id), ["path-not-found"])
    }

    func testSweepExpandsToAGridOfPointsWithIncludedDeclarations() throws {
        let result = Checker.check(path: Repository.experiment("dfr-sweep.yaml").path)
        XCTAssertEqual(result.experiments.count, 9)
        XCTAssertEqual(Set(result.experiments.map { $0.sweepPoint["seed"]! }), [0, 1, 2])
        // Grid order: parameters by name, the last varying fastest.
        XCTAssertEqual(result.experiments[1].sweepPoint, ["keep": 0.05, "seed": 1])
        XCTAssertEqual(result.experiments[3].sweepPoint, ["keep": 0.1, "seed": 0])
        // The including file's `correlation` overrides the included default.
        XCTAssertEqual(result.experiments[0].parameters["correlation"], .double(0.9))
        let derive = try XCTUnwrap(result.experiments[0].stage("datasets.tinted.derive"))
        XCTAssertEqual(derive.parameters["attribute"]?["correlation"]?["train"], .double(0.9))
        // Points that differ only in `keep` share the training stage's parameters.
        XCTAssertTrue(result.experiments[0].stage("erm") == result.experiments[3].stage("erm"))
        XCTAssertTrue(result.experiments[0].stage("selected") != result.experiments[3].stage("selected"))
        XCTAssertTrue(result.experiments[0].stage("erm") != result.experiments[1].stage("erm"))
    }

    func testOverridesReplaceOrSweepParameters() {
        let path = Repository.experiment("dfr-sweep.yaml").path
        XCTAssertEqual(Checker.check(path: path, overrides: [("seed", "5")]).experiments.count, 3)
        XCTAssertEqual(Checker.check(path: path, overrides: [("seed", "5"), ("keep", "[0.3, 0.4]")]).experiments.count, 2)
        let typo = Checker.check(path: path, overrides: [("sed", "1")])
        XCTAssertEqual(typo.diagnostics.map(\.id), ["unknown-parameter"])
        XCTAssertEqual(typo.diagnostics.first?.help.first, "did you mean `seed`?")
        XCTAssertEqual(Checker.check(path: path, overrides: [("epochs", "two")]).diagnostics.map(\.id), ["wrong-type"])
        XCTAssertEqual(Checker.check(path: path, overrides: [("keep", "1.5")]).diagnostics.map(\.id), ["out-of-range"])
    }

    /// A bad value inside one `-p` sweep must not hide the mistakes in the overrides after it.
    func testEveryBadOverrideIsReportedNotOnlyTheFirst() {
        let path = Repository.experiment("dfr-sweep.yaml").path
        let result = Checker.check(path: path, overrides: [("keep", "[0.3, 1.5]"), ("epochs", "two"), ("sed", "1")])
        XCTAssertEqual(result.diagnostics.map(\.id).sorted(), ["out-of-range", "unknown-parameter", "wrong-type"])
    }

    /// Before the file parses there are no declarations to check `-p` against: only the syntax error is reported.
    func testYAMLSyntaxErrorIsTheOnlyDiagnosticWhateverOverridesSay() {
        let text = "assay: 1\nparams:\n  epochs: 3\nstages: [unclosed\n"
        let result = checkText(text, overrides: [("epochs", "1"), ("seed", "2")])
        XCTAssertEqual(result.diagnostics.map(\.id), ["yaml-syntax"])
        XCTAssertEqual(checkText("assay: 1\nparams:\n  epochs: 3\n", overrides: [("seed", "2")]).diagnostics.map(\.id), ["unknown-parameter"])
    }

    /// A failed `$name` or `${name}` is one diagnostic: the field it fills is not also reported as missing or mistyped.
    func testAnUnknownParameterIsReportedOnceWhereverItIsUsed() {
        let text = """
        assay: 1
        datasets:
          g: { from: $base }
          s: { synthetic: { classes: 2, samples: "${}" } }
        models:
          m:
            layers:
              - conv: { out: $width, kernel: 3 }
              - flatten
              - linear: { out: 10 }
        stages:
          t: { train: { model: $model, data: $data, epochs: "${epochs}" } }
        """
        XCTAssertEqual(checkText(text).diagnostics.map(\.id), Array(repeating: "unknown-parameter", count: 6))
    }

    func testZipSweepPairsValues() {
        let text = "assay: 1\nsweep: zip\nparams:\n  a: [1, 2, 3]\n  b: [x, y, z]\n"
        let points = checkText(text).experiments.map(\.sweepPoint)
        XCTAssertEqual(points, [["a": 1, "b": "x"], ["a": 2, "b": "y"], ["a": 3, "b": "z"]])
    }

    func testSeedParametersAreNamedSeedOrDeclaredWithRoleSeed() throws {
        let text = "assay: 1\nparams:\n  seed: 0\n  init: { sweep: [1, 2], role: seed }\n  lr: 0.1\n"
        let result = checkText(text)
        XCTAssertEqual(result.experiments.count, 2)
        XCTAssertEqual(result.experiments[0].seedParameters, ["init", "seed"])
        XCTAssertEqual(result.experiments[0].canonical["seed-parameters"], ["init", "seed"])
        // Without a seed the canonical form is what it always was.
        XCTAssertNil(checkText("assay: 1\nparams:\n  lr: 0.1\n").experiments[0].canonical["seed-parameters"])
        let wrong = checkText("assay: 1\nparams:\n  init: { default: 1, role: sed }\n")
        XCTAssertEqual(wrong.diagnostics.map(\.id), ["unknown-enum-value"])
        XCTAssertEqual(wrong.diagnostics.first?.path, "params.init.role")
    }
}

final class ExternalFilesTests: XCTestCase {
    func testStagesListTheFilesTheyReadWithAbsolutePaths() throws {
        let experiment = try XCTUnwrap(Checker.check(path: Repository.experiment("architectures.yaml").path).experiments.first)
        XCTAssertEqual(experiment.stage("datasets.fmnist")?.files["path"], "/usr/share/datasets/fashion-mnist")
        XCTAssertEqual(experiment.stage("datasets.camvid")?.files["root"], Repository.experiment("data/camvid-tiny").standardizedFileURL.path)
        XCTAssertEqual(experiment.stage("fine-tune")?.files["model.weights"],
                       Repository.experiment("data/weights/small-cnn-w025.safetensors").standardizedFileURL.path)
        let attacks = try XCTUnwrap(Checker.check(path: Repository.experiment("fv-attacks.yaml").path).experiments.first)
        XCTAssertNotNil(attacks.stage("pulsed")?.files["attack.objective.proxpulse.target"])
    }
}

final class DataFolderTests: XCTestCase {
    func testCamVidRootsNeedTheirSplitFolders() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("assay-camvid-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["train", "trainannot", "val", "valannot", "test"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let text = "assay: 1\ndatasets:\n  roads: { camvid: { root: \(root.path) } }\n"
        let missing = checkText(text)
        XCTAssertEqual(missing.diagnostics.map(\.id), ["path-not-found"])
        XCTAssertTrue(missing.diagnostics[0].message.contains("testannot/"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("testannot"), withIntermediateDirectories: true)
        XCTAssertEqual(checkText(text).diagnostics, [])
    }
}
