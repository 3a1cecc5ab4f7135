import Foundation

/// The bytes of a safetensors file whose tensors, in this order, are F32 zeros of the given
/// shapes: for tests of code that reads weights files or only their headers.
public func zeroSafetensors(_ tensors: [(name: String, shape: [Int])]) throws -> Data {
    var header: [String: Any] = [:]
    var offset = 0
    for t in tensors {
        let bytes = 4 * t.shape.reduce(1, *)
        header[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]]
        offset += bytes
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while json.count % 8 != 0 { json.append(0x20) }
    var data = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    data.append(Data(count: offset))
    return data
}
