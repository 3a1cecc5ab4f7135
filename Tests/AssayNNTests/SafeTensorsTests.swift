import AssayNN
import AssaySupport
import Foundation
import XCTest

final class SafeTensorsTests: XCTestCase {
    var fixturePath: String {
        Bundle.module.path(forResource: "python_written", ofType: "safetensors", inDirectory: "Fixtures")!
    }

    func testReadsTheFileWrittenByPythonSafetensors() throws {
        let contents = try SafeTensors.read(path: fixturePath)
        XCTAssertEqual(contents.metadata["format"], "pt")
        let weight = try XCTUnwrap(contents.tensors["features.0.weight"])
        XCTAssertEqual(weight.shape, [2, 1, 3, 3])
        XCTAssertEqual(weight.data, (0..<18).map { 0.5 * (Float($0) - 9) })
        XCTAssertEqual(contents.tensors["features.0.bias"]?.data, [0.25, -0.75])
        XCTAssertEqual(contents.tensors["bn.running_mean"]?.data, [1.5, -2, 0.125])   // F64
        XCTAssertEqual(contents.tensors["bn.num_batches_tracked"]?.shape, [])          // I64 scalar
        XCTAssertEqual(contents.tensors["bn.num_batches_tracked"]?.data, [7])
        XCTAssertEqual(contents.tensors["head.weight"]?.data, [1, -0.5, 2, 0])          // F16
        XCTAssertEqual(contents.tensors["head.bias"]?.data, [3, -1.25])                 // BF16
    }

    func testRoundTripKeepsNamesShapesAndBits() throws {
        var rng = SeededRandom(seed: 3)
        let tensors: [String: Tensor] = [
            "layer1.0.conv1.weight": Tensor.normal([4, 3, 3, 3], rng: &rng),
            "layer1.0.bn1.running_mean": Tensor.normal([4], rng: &rng),
            "fc.bias": Tensor([-.infinity, 1e-40, -0.0], shape: [3]),
            "scalar": Tensor(scalar: 2.5),
        ]
        let path = NSTemporaryDirectory() + "assay-roundtrip-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafeTensors.write(tensors, metadata: ["epoch": "3", "quote\"key": "a\\b"], to: path)
        let back = try SafeTensors.read(path: path)
        XCTAssertEqual(back.metadata, ["epoch": "3", "quote\"key": "a\\b"])
        XCTAssertEqual(Set(back.tensors.keys), Set(tensors.keys))
        for (name, t) in tensors {
            XCTAssertEqual(back.tensors[name]!.shape, t.shape)
            XCTAssertEqual(back.tensors[name]!.data.map(\.bitPattern), t.data.map(\.bitPattern), name)
        }
        // Header length is a multiple of 8, as the Python writer produces.
        let bytes = SafeTensors.encode(tensors)
        XCTAssertEqual(Int(bytes[0]) % 8, 0)
        XCTAssertEqual(SafeTensors.encode(tensors), bytes, "encoding is deterministic")
    }

    func testPythonReadsWhatAssayWrites() throws {
        let path = NSTemporaryDirectory() + "assay-for-python-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafeTensors.write(["a.weight": Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])], to: path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys
            try:
                from safetensors.numpy import load_file
            except ImportError:
                sys.exit(3)
            t = load_file(sys.argv[1])["a.weight"]
            print(t.shape, float(t.sum()), t[1, 2])
            """, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        do { try process.run() } catch { throw XCTSkip("python3 not available") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 3 { throw XCTSkip("python safetensors not installed") }
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "(2, 3) 21.0 6.0")
    }

    func testTruncatedFileIsReportedWithItsPath() {
        var bytes = SafeTensors.encode(["w": Tensor([1, 2], shape: [2])])
        bytes.removeLast(3)
        XCTAssertThrowsError(try SafeTensors.decode(bytes, source: "weights.safetensors")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("weights.safetensors") && message.contains("'w'"), message)
        }
    }

    func testLoadingIntoAModuleNamesMissingUnexpectedAndMisshapedTensors() throws {
        var rng = SeededRandom(seed: 1)
        let model = Sequential(Conv2d(1, 2, kernel: 3, rng: &rng), BatchNorm2d(2))
        var dict = model.stateDict().mapValues { $0.detached() }
        dict["0.weight"] = Tensor.zeros([2, 1, 5, 5])
        dict["1.bias"] = nil
        dict["extra.weight"] = Tensor.zeros([1])
        dict["1.num_batches_tracked"] = Tensor(scalar: 3)
        XCTAssertThrowsError(try model.loadStateDict(dict)) { error in
            let e = error as! StateDictError
            XCTAssertEqual(e.missing, ["1.bias"])
            XCTAssertEqual(e.unexpected, ["extra.weight"])
            XCTAssertEqual(e.mismatched, [StateDictMismatch(name: "0.weight", expected: [2, 1, 3, 3], found: [2, 1, 5, 5])])
            XCTAssertTrue(e.description.contains("missing tensor '1.bias' (expected shape [2])"))
        }
    }

    func testModuleSaveAndLoadRestoresEveryParameterAndBuffer() throws {
        var rng = SeededRandom(seed: 4)
        let source = Sequential(Conv2d(1, 2, kernel: 3, rng: &rng), BatchNorm2d(2))
        source.namedBuffers().forEach { $0.tensor.data = $0.tensor.data.map { $0 + 0.5 } }
        let path = NSTemporaryDirectory() + "assay-module-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try source.saveSafeTensors(to: path)
        let target = Sequential(Conv2d(1, 2, kernel: 3, rng: &rng), BatchNorm2d(2))
        let weightBefore = target.namedParameters()[0].tensor
        try target.loadSafeTensors(from: path)
        XCTAssertTrue(weightBefore === target.namedParameters()[0].tensor, "tensors are updated in place")
        for ((name, a), (_, b)) in zip(source.stateDict().sorted { $0.key < $1.key }, target.stateDict().sorted { $0.key < $1.key }) {
            XCTAssertEqual(a.data, b.data, name)
        }
    }
}
