import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import Foundation
import XCTest

/// Exported models are plain torchvision state dicts: the key set of `model.state_dict()`
/// (with int64 `num_batches_tracked`), float32 values that read back bit for bit.
final class ModelExportTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try PretrainedTestSupport.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testExportedArtifactHasTorchvisionKeysAndRoundTrips() throws {
        let spec = try PretrainedTestSupport.spec("resnet18", "width: 0.125, input: [3, 32, 32], classes: 5", in: directory)
        let trained = try SpecNetwork(spec: spec, seed: 11)
        // Running statistics that differ from their initial values, as after training.
        for (name, t) in trained.stateDict() where name.hasSuffix("running_var") { t.data = t.data.indices.map { 0.5 + Float($0 % 7) / 10 } }
        trained.eval()
        let artifact = directory.appendingPathComponent("model.safetensors")
        try ModelArtifact.write(trained, to: artifact)
        let exported = directory.appendingPathComponent("export.safetensors")
        try ModelExport.export(artifact: artifact, to: exported)

        let header = try SafetensorsHeader.read(path: exported.path)
        XCTAssertEqual(Set(header.shapes.keys), Set(spec.allTensors.map(\.name)), "the key set of torchvision's state_dict")
        XCTAssertEqual(header.mismatches(against: spec.allTensors), [])
        XCTAssertEqual(header.dtypes["layer1.0.bn1.num_batches_tracked"], "I64")
        XCTAssertEqual(header.shapes["layer1.0.bn1.num_batches_tracked"], [])
        XCTAssertEqual(header.dtypes["layer1.0.bn1.running_var"], "F32")

        let contents = try SafeTensors.read(path: exported.path)
        XCTAssertEqual(contents.metadata["format"], "pt")
        XCTAssertNil(contents.metadata[ModelArtifact.specKey], "a plain state dict, without Assay's description")
        for (name, t) in trained.stateDict() { XCTAssertEqual(contents.tensors[name]?.data, t.data, name) }

        let reloaded = try SpecNetwork(spec: spec, seed: 0)
        try PretrainedWeights.load(into: reloaded, from: exported.path, stage: "s")
        reloaded.eval()
        let x = Tensor((0..<(2 * 3 * 32 * 32)).map { Float(($0 * 37) % 101) / 101 }, shape: [2, 3, 32, 32])
        XCTAssertEqual(reloaded(x).data, trained(x).data)
    }

    /// The SqueezeNet fixture's weights exported again give the same file content as torchvision's state dict.
    func testExportOfTorchvisionWeightsReproducesThem() throws {
        let fixture = try TorchvisionFixture.require("squeezenet1_0")
        let spec = try PretrainedTestSupport.spec("squeezenet1_0", "input: [3, 224, 224], classes: 1000, weights: \(fixture.weightsPath)", in: directory)
        let network = try PretrainedWeights.network(for: spec, baseDirectory: directory.path, seed: 0, stage: "s")
        let exported = directory.appendingPathComponent("squeezenet.safetensors")
        try ModelExport.write(network, to: exported)
        let original = try SafeTensors.read(path: fixture.weightsPath).tensors
        let again = try SafeTensors.read(path: exported.path).tensors
        XCTAssertEqual(Set(original.keys), Set(again.keys))
        for (name, t) in original { XCTAssertEqual(again[name]?.data, t.data, name) }
        try checkWithPyTorch(exported: exported, arch: "squeezenet1_0")
    }

    /// Every built-in, initialised by Assay (10 classes, running statistics moved as by training),
    /// saved as an artifact and exported, loads in PyTorch strictly and gives Assay's logits
    /// (runs where `ASSAY_TORCH_PYTHON` names a Python with torch and torchvision).
    func testExportedBuiltinsLoadInPyTorchWithTheSameLogits() throws {
        guard ProcessInfo.processInfo.environment["ASSAY_TORCH_PYTHON"] != nil else {
            throw XCTSkip("set ASSAY_TORCH_PYTHON to a Python with torch and torchvision to check exports in PyTorch")
        }
        let images = Tensor((0..<(2 * 3 * 224 * 224)).map { Float(($0 * 7919) % 1000) / 1000 }, shape: [2, 3, 224, 224])
        for arch in TorchvisionFixture.parameterCounts.keys.sorted() {
            let spec = try PretrainedTestSupport.spec(arch, "input: [3, 224, 224], classes: 10", in: directory)
            let network = try SpecNetwork(spec: spec, seed: 21)
            for (name, t) in network.stateDict() where name.hasSuffix("running_var") { t.data = t.data.indices.map { 0.3 + Float($0 % 11) / 10 } }
            for (name, t) in network.stateDict() where name.hasSuffix("running_mean") { t.data = t.data.indices.map { Float($0 % 5) / 50 - 0.04 } }
            network.eval()
            // torchvision models take normalised images: the reference runs them on (x − mean) / std as well.
            var normalising = spec
            normalising.normalizeMean = [0.485, 0.456, 0.406]
            normalising.normalizeStd = [0.229, 0.224, 0.225]
            let logits = network(PretrainedWeights.normalize(images, for: normalising))
            let io = directory.appendingPathComponent("\(arch).io.safetensors")
            try SafeTensors.write(["input": images, "logits": logits], to: io.path)
            let artifact = directory.appendingPathComponent("\(arch).artifact.safetensors")
            try ModelArtifact.write(network, to: artifact)
            let exported = directory.appendingPathComponent("\(arch).export.safetensors")
            try ModelExport.export(artifact: artifact, to: exported)
            try checkWithPyTorch(exported: exported, arch: arch, io: io.path)
        }
    }

    /// Where `ASSAY_TORCH_PYTHON` names a Python with torch and torchvision, PyTorch loads the export
    /// strictly and reproduces the fixture's logits.
    func checkWithPyTorch(exported: URL, arch: String, io: String? = nil) throws {
        guard let python = ProcessInfo.processInfo.environment["ASSAY_TORCH_PYTHON"], !python.isEmpty else { return }
        let io = try io ?? XCTUnwrap(TorchvisionFixture.directories.map { "\($0)/\(arch).io.safetensors" }.first { FileManager.default.fileExists(atPath: $0) })
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scripts/torchvision_fixtures.py").standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--check-export", exported.path, arch, io]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("loaded \(exported.path) strictly"), output)
        try PretrainedTestSupport.report(output)
    }
}
