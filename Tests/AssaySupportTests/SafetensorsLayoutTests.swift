import AssaySupport
import Foundation
import XCTest

final class SafetensorsLayoutTests: XCTestCase {
    private let tensors: [String: SafetensorsLayout.Tensor] = [
        "b": .init(dtype: "F32", shape: [2], bytes: [0, 0, 128, 63, 0, 0, 0, 64]),   // 1.0, 2.0
        "a.count": .init(dtype: "I64", shape: [], bytes: [7, 0, 0, 0, 0, 0, 0, 0]),
    ]

    func testEncodingIsTheFormatByteForByte() {
        let bytes = SafetensorsLayout.encode(tensors, metadata: ["format": "pt", "note": "a \"quoted\"/path"])
        let header = #"{"__metadata__":{"format":"pt","note":"a \"quoted\"/path"},"a.count":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#
        var padded = Array(header.utf8)
        while padded.count % 8 != 0 { padded.append(0x20) }
        let expected = [UInt8(padded.count), 0, 0, 0, 0, 0, 0, 0] + padded + [7, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 128, 63, 0, 0, 0, 64]
        XCTAssertEqual(bytes, expected)
        XCTAssertEqual(SafetensorsLayout.encode(tensors, metadata: ["format": "pt", "note": "a \"quoted\"/path"]), bytes, "same contents, same bytes")
    }

    func testParseAndHeaderOnlyReadAgree() throws {
        let bytes = SafetensorsLayout.encode(tensors, metadata: ["format": "pt"])
        let layout = try SafetensorsLayout.parse(bytes)
        XCTAssertEqual(layout.metadata, ["format": "pt"])
        XCTAssertEqual(layout.entries["b"], .init(dtype: "F32", shape: [2], dataOffsets: 8..<16))
        XCTAssertEqual(layout.entries["a.count"], .init(dtype: "I64", shape: [], dataOffsets: 0..<8))
        XCTAssertEqual(Array(bytes[(layout.dataStart + 8)..<(layout.dataStart + 16)]), tensors["b"]!.bytes)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(bytes).write(to: file)
        XCTAssertEqual(try SafetensorsLayout.readHeader(path: file.path), layout)
    }

    func testDamagedFilesAreNamedNotTrapped() throws {
        let bytes = SafetensorsLayout.encode(tensors)
        func reason(_ damaged: [UInt8]) -> String? {
            do { _ = try SafetensorsLayout.parse(damaged); return nil } catch let failure as SafetensorsLayout.Malformed {
                return failure.reason
            } catch { return "unexpected \(error)" }
        }
        XCTAssertEqual(reason([1, 2, 3]), "file is 3 bytes, shorter than the 8-byte header length")
        XCTAssertEqual(reason([255, 255, 255, 255, 255, 255, 255, 255, 0]), "header length 18446744073709551615 exceeds the file size 9")
        XCTAssertEqual(reason(Array(bytes.dropLast(4)))?.contains("beyond the data section"), true)
        var notJSON = bytes
        notJSON[8] = UInt8(ascii: "x")
        XCTAssertEqual(reason(notJSON)?.hasPrefix("header is not valid JSON"), true)
        let array = Array("[]      ".utf8)
        XCTAssertEqual(reason([8, 0, 0, 0, 0, 0, 0, 0] + array), "header is not a JSON object")
        func header(_ json: String) -> [UInt8] {
            var bytes = Array(json.utf8)
            while bytes.count % 8 != 0 { bytes.append(0x20) }
            return [UInt8(bytes.count), 0, 0, 0, 0, 0, 0, 0] + bytes
        }
        XCTAssertEqual(reason(header(#"{"w":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,0]}}"#))?.contains("non-negative"), true)
        XCTAssertEqual(reason(header(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#))?.contains("must fit"), true)
        XCTAssertThrowsError(try SafetensorsLayout.readHeader(path: "/nonexistent/x.safetensors")) {
            XCTAssertEqual($0 as? SafetensorsLayout.Unreadable, SafetensorsLayout.Unreadable(path: "/nonexistent/x.safetensors"))
        }
    }
}
