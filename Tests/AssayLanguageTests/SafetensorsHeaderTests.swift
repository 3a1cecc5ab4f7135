@testable import AssayLanguage
import Foundation
import XCTest

/// `assay check` reads only a weights file's header; element types the engine cannot load are reported there.
final class SafetensorsHeaderTests: XCTestCase {
    /// A safetensors file whose tensors `w` (2 elements) and `b` (1 element) have the given dtypes.
    func file(wType: String, bytesPerElement: Int) throws -> String {
        let json = "{\"w\":{\"dtype\":\"\(wType)\",\"shape\":[2],\"data_offsets\":[0,\(2 * bytesPerElement)]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\(2 * bytesPerElement),\(2 * bytesPerElement + 4)]}}"
        var bytes = withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { Array($0) }
        bytes += Array(json.utf8) + [UInt8](repeating: 0, count: 2 * bytesPerElement + 4)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("header-\(UUID().uuidString).safetensors").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    let expected = [TensorSpec(name: "w", shape: [2], trainable: true), TensorSpec(name: "b", shape: [1], trainable: true)]

    func testUnreadableElementTypeIsNamedWithTheTensor() throws {
        let header = try SafetensorsHeader.read(path: try file(wType: "U8", bytesPerElement: 1))
        XCTAssertEqual(header.mismatches(against: expected), ["tensor `w` has dtype U8, which Assay cannot read (use one of BF16, F16, F32, F64, I32, I64)"])
    }

    func testHalfPrecisionWeightsPass() throws {
        let header = try SafetensorsHeader.read(path: try file(wType: "F16", bytesPerElement: 2))
        XCTAssertEqual(header.mismatches(against: expected), [])
    }
}
