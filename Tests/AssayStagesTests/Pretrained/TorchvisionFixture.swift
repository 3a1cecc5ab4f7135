import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import Foundation
import XCTest

/// A fixture written by `scripts/torchvision_fixtures.py`: torchvision-named weights, an input
/// batch in [0, 1] and torchvision's logits on the ImageNet-normalised batch.
struct TorchvisionFixture {
    let arch: String
    let weightsPath: String
    let input: Tensor
    let logits: Tensor

    /// torchvision's `sum(p.numel() for p in model.parameters())` at 1000 classes.
    static let parameterCounts = ["alexnet": 61_100_840, "resnet18": 11_689_512, "resnet50": 25_557_032, "squeezenet1_0": 1_248_424]

    /// Directories searched in order: `ASSAY_TORCHVISION_FIXTURES`, then the committed fixtures.
    static var directories: [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["ASSAY_TORCHVISION_FIXTURES"], !env.isEmpty { dirs.append(env) }
        if let bundled = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { dirs.append(bundled.path) }
        return dirs
    }

    /// The fixture for `arch`, or nil when no directory holds it.
    static func find(_ arch: String) throws -> TorchvisionFixture? {
        for dir in directories {
            let weights = "\(dir)/\(arch).weights.safetensors", io = "\(dir)/\(arch).io.safetensors"
            guard FileManager.default.fileExists(atPath: weights), FileManager.default.fileExists(atPath: io) else { continue }
            let contents = try SafeTensors.read(path: io)
            return TorchvisionFixture(arch: arch, weightsPath: weights, input: try XCTUnwrap(contents.tensors["input"]),
                                      logits: try XCTUnwrap(contents.tensors["logits"]))
        }
        return nil
    }

    /// The fixture for `arch`, or a skip naming how to produce it.
    static func require(_ arch: String) throws -> TorchvisionFixture {
        guard let fixture = try find(arch) else {
            throw XCTSkip("no torchvision fixture for \(arch): run `python3 scripts/torchvision_fixtures.py --out DIR \(arch)` where torch is installed and set ASSAY_TORCHVISION_FIXTURES=DIR")
        }
        return fixture
    }
}

enum PretrainedTestSupport {
    /// An experiment declaring one model `net` of built-in `arch` with the given arguments.
    static func experiment(_ arch: String, _ arguments: String, in directory: URL) -> CheckResult {
        let yaml = """
        assay: 1
        name: pretrained-\(arch)
        models:
          net: { \(arch): { \(arguments) } }
        """
        return Checker.check(source: SourceFile(path: directory.appendingPathComponent("pretrained.yaml").path, text: yaml))
    }

    /// The checked spec of `net`, failing the test with the rendered diagnostics on errors.
    static func spec(_ arch: String, _ arguments: String, in directory: URL, file: StaticString = #filePath, line: UInt = #line) throws -> ModelSpec {
        let result = experiment(arch, arguments, in: directory)
        XCTAssertFalse(result.hasErrors, DiagnosticRenderer(sources: result.sources).renderText(result.diagnostics), file: file, line: line)
        return try XCTUnwrap(result.experiments.first?.models["net"], file: file, line: line)
    }

    /// max |a − b| ÷ (max b − min b).
    static func relativeDifference(_ a: Tensor, _ reference: Tensor) -> Double {
        precondition(a.shape == reference.shape)
        var worst: Float = 0
        for i in 0..<a.count { worst = max(worst, abs(a.data[i] - reference.data[i])) }
        let range = (reference.data.max() ?? 0) - (reference.data.min() ?? 0)
        return Double(worst) / Double(max(range, .leastNormalMagnitude))
    }

    /// Appends a line to the file `ASSAY_PARITY_REPORT` names, if any (the measured numbers for the closing note).
    static func report(_ line: String) throws {
        guard let out = ProcessInfo.processInfo.environment["ASSAY_PARITY_REPORT"], !out.isEmpty else { return }
        if !FileManager.default.fileExists(atPath: out) { FileManager.default.createFile(atPath: out, contents: nil) }
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: out))
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        try handle.close()
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pretrained-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
