import AssayLanguage
import AssayNN
import AssayStages
import AssayTensor
import Foundation
import XCTest

/// `assay export-model`, run as a user runs it: the built `assay` binary on an experiment file.
final class ExportModelCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("export-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    static var assay: URL { AssayProcess.executable }

    func assay(_ arguments: String...) throws -> AssayProcess.Outcome { try AssayProcess.run(arguments, in: directory) }

    static let experiment = """
    assay: 1
    name: export-cli
    params:
      epochs: 1
    datasets:
      blobs: { synthetic: { shape: [3, 32, 32], classes: 3, samples: { train: 64, test: 16 }, seed: 1 } }
    models:
      net: { squeezenet1_0: {} }
    stages:
      fit: { train: { model: net, data: blobs.train, epochs: $epochs, batch-size: 32 } }
      scored: { evaluate: { model: fit, data: blobs.test } }
    """

    func testExportModelWritesTheTrainedModelWithTorchvisionNames() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.assay.path), "no assay binary at \(Self.assay.path)")
        let file = directory.appendingPathComponent("exp.yaml")
        try Self.experiment.write(to: file, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("fit.safetensors")

        // Before a run: nothing to export, and the message says what to run.
        let early = try assay("export-model", file.path, "fit", "-o", output.path)
        XCTAssertEqual(early.status, 1, early.stderr)
        XCTAssertTrue(early.stderr.contains("stage `fit` has no result in the store"), early.stderr)
        XCTAssertTrue(early.stderr.contains("run `assay run \(file.path)` first"), early.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))

        let run = try assay("run", file.path, "--threads", "2")
        XCTAssertEqual(run.status, 0, run.stderr)

        let exported = try assay("export-model", file.path, "fit", "-o", output.path)
        XCTAssertEqual(exported.status, 0, exported.stderr)
        XCTAssertTrue(exported.stdout.contains("wrote \(output.path)"), exported.stdout)
        let result = Checker.check(path: file.path)
        let spec = try XCTUnwrap(result.experiments.first?.models["net"])
        let header = try SafetensorsHeader.read(path: output.path)
        XCTAssertEqual(Set(header.shapes.keys), Set(spec.allTensors.map(\.name)), "torchvision's state_dict keys")
        XCTAssertEqual(header.shapes["classifier.1.weight"], [3, 512, 1, 1])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }, [], "no temporary file left")

        // The same model by the digest `assay show` prints for the stage's output.
        let show = try assay("show", "fit", "--store", directory.appendingPathComponent(".assay").path)
        XCTAssertEqual(show.status, 0, show.stderr)
        let modelLine = try XCTUnwrap(show.stdout.split(separator: "\n").first { $0.hasPrefix("output model: ") })
        let digest = try XCTUnwrap(modelLine.split(separator: "/").last.map(String.init))
        let byDigest = directory.appendingPathComponent("by-digest.safetensors")
        let viaDigest = try assay("export-model", "--digest", String(digest.prefix(12)), "--store", ".assay", "-o", byDigest.path)
        XCTAssertEqual(viaDigest.status, 0, viaDigest.stderr)
        XCTAssertEqual(try Data(contentsOf: byDigest), try Data(contentsOf: output), "one model, one file")

        try checkWithPyTorch(exported: output, artifact: URL(fileURLWithPath: String(modelLine.dropFirst("output model: ".count))))
    }

    func testExportModelErrorsNameTheProblemAndTheFix() throws {
        let file = directory.appendingPathComponent("exp.yaml")
        try Self.experiment.write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try assay("run", file.path, "--threads", "2").status, 0)

        // Another parameter value is another model, not in the store yet: the advice repeats the options.
        let edited = try assay("export-model", file.path, "fit", "-p", "epochs=2", "-o", "x.safetensors")
        XCTAssertEqual(edited.status, 1)
        XCTAssertTrue(edited.stderr.contains("run `assay run \(file.path) -p epochs=2` first (`assay explain \(file.path) fit -p epochs=2`"), edited.stderr)

        // A sweep needs --point; the point equal to the run above is already in the store.
        let swept = try assay("export-model", file.path, "fit", "-p", "epochs=[1, 2]", "-o", "x.safetensors")
        XCTAssertEqual(swept.status, 1)
        XCTAssertTrue(swept.stderr.contains("sweeps over 2 points: say which point's model to export"), swept.stderr)
        XCTAssertTrue(swept.stderr.contains("add --point with one of: epochs=1; epochs=2"), swept.stderr)
        let point = try assay("export-model", file.path, "fit", "-p", "epochs=[1, 2]", "--point", "epochs=1", "-o", "point.safetensors")
        XCTAssertEqual(point.status, 0, point.stderr)
        let wrongPoint = try assay("export-model", file.path, "fit", "-p", "epochs=[1, 2]", "--point", "epochs=3", "-o", "x.safetensors")
        XCTAssertTrue(wrongPoint.stderr.contains("`epochs=3` is not a sweep point"), wrongPoint.stderr)

        let typo = try assay("export-model", file.path, "fitt", "-o", "x.safetensors")
        XCTAssertEqual(typo.status, 1)
        XCTAssertTrue(typo.stderr.contains("no stage `fitt` in \(file.path)"), typo.stderr)
        XCTAssertTrue(typo.stderr.contains("did you mean `fit`?"), typo.stderr)

        let metrics = try assay("export-model", file.path, "scored", "-o", "x.safetensors")
        XCTAssertEqual(metrics.status, 1)
        XCTAssertTrue(metrics.stderr.contains("stage `scored` is an `evaluate` stage: its outputs (metrics) hold no trained model"), metrics.stderr)
        XCTAssertTrue(metrics.stderr.contains("stages with a trained model: fit"), metrics.stderr)

        let missingFolder = try assay("export-model", file.path, "fit", "-o", directory.appendingPathComponent("no/such/dir/m.safetensors").path)
        XCTAssertEqual(missingFolder.status, 1)
        XCTAssertTrue(missingFolder.stderr.contains("the folder \(directory.appendingPathComponent("no/such/dir").path) does not exist"), missingFolder.stderr)

        let readOnly = directory.appendingPathComponent("read-only")
        try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: readOnly.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: readOnly.path) }
        if access(readOnly.path, W_OK) != 0 {  // root may write anywhere
            let denied = try assay("export-model", file.path, "fit", "-o", readOnly.appendingPathComponent("m.safetensors").path)
            XCTAssertEqual(denied.status, 1)
            XCTAssertTrue(denied.stderr.contains("Permission denied"), denied.stderr)
        }

        let folder = try assay("export-model", file.path, "fit", "-o", directory.path)
        XCTAssertEqual(folder.status, 1)
        XCTAssertTrue(folder.stderr.contains("it is a folder"), folder.stderr)

        let unknownDigest = try assay("export-model", "--digest", "0123456789abcdef", "--store", ".assay", "-o", "x.safetensors")
        XCTAssertEqual(unknownDigest.status, 1)
        XCTAssertTrue(unknownDigest.stderr.contains("no artifact `0123456789abcdef`"), unknownDigest.stderr)

        // An object that is not a model: the metrics of the training stage.
        let show = try assay("show", "fit", "--store", ".assay")
        let metricsLine = try XCTUnwrap(show.stdout.split(separator: "\n").first { $0.hasPrefix("output metrics: ") })
        let metricsDigest = try XCTUnwrap(metricsLine.split(separator: "/").last.map(String.init))
        let notModel = try assay("export-model", "--digest", metricsDigest, "--store", ".assay", "-o", "x.safetensors")
        XCTAssertEqual(notModel.status, 1)
        XCTAssertTrue(notModel.stderr.contains("error: cannot export artifact"), notModel.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.safetensors").path), "nothing written on errors")

        let usage = try assay("export-model", file.path, "-o", "x.safetensors")
        XCTAssertEqual(usage.status, 2, usage.stderr)
    }

    /// Where `ASSAY_TORCH_PYTHON` names a Python with torch and torchvision: PyTorch loads the exported
    /// file strictly and its logits equal Assay's on the same (ImageNet-normalised) images.
    func checkWithPyTorch(exported: URL, artifact: URL) throws {
        guard let python = ProcessInfo.processInfo.environment["ASSAY_TORCH_PYTHON"], !python.isEmpty else { return }
        let network = try ModelArtifact.read(from: artifact, stage: "test")
        let images = Tensor((0..<(2 * 3 * 32 * 32)).map { Float(($0 * 7919) % 1000) / 1000 }, shape: [2, 3, 32, 32])
        var imagenet = network.spec
        imagenet.normalizeMean = [0.485, 0.456, 0.406]
        imagenet.normalizeStd = [0.229, 0.224, 0.225]
        let io = directory.appendingPathComponent("io.safetensors")
        try SafeTensors.write(["input": images, "logits": network(PretrainedWeights.normalize(images, for: imagenet))], to: io.path)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/torchvision_fixtures.py").standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--check-export", exported.path, "squeezenet1_0", io.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("loaded \(exported.path) strictly"), text)
        // The measured difference, for the issue's closing note (as the parity tests record theirs).
        if let report = ProcessInfo.processInfo.environment["ASSAY_PARITY_REPORT"], !report.isEmpty {
            if !FileManager.default.fileExists(atPath: report) { _ = FileManager.default.createFile(atPath: report, contents: nil) }
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: report))
            handle.seekToEndOfFile()
            handle.write(Data(("assay export-model → " + text).utf8))
            try handle.close()
        }
    }
}
