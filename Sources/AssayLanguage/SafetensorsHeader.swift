import AssaySupport
import Foundation

/// The tensor table of a safetensors file, read from its header without loading any data.
///
/// Format: an 8-byte little-endian header length `n`, then `n` bytes of JSON mapping each tensor
/// name to `{"dtype", "shape", "data_offsets"}` (plus an optional `__metadata__` entry).
public struct SafetensorsHeader: Sendable {
    public var shapes: [String: [Int]]
    public var dtypes: [String: String]

    public enum ReadError: Error, CustomStringConvertible {
        case unreadable(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .unreadable(let why): return why
            case .malformed(let why): return "not a safetensors file: \(why)"
            }
        }
    }

    /// Headers above this size are rejected (the format's own reference limit is 100 MB).
    static let maxHeaderBytes = 100_000_000

    public static func read(path: String) throws -> SafetensorsHeader {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ReadError.unreadable("cannot open `\(path)`") }
        defer { try? handle.close() }
        let lengthBytes = handle.readData(ofLength: 8)
        guard lengthBytes.count == 8 else { throw ReadError.malformed("shorter than 8 bytes") }
        let length = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length > 1, length <= UInt64(maxHeaderBytes) else { throw ReadError.malformed("header length \(length) is not plausible") }
        let json = handle.readData(ofLength: Int(length))
        guard json.count == Int(length), let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw ReadError.malformed("the header is not a JSON object")
        }
        var header = SafetensorsHeader(shapes: [:], dtypes: [:])
        for (name, value) in object where name != "__metadata__" {
            guard let entry = value as? [String: Any], let shape = entry["shape"] as? [Int], let dtype = entry["dtype"] as? String else {
                throw ReadError.malformed("tensor `\(name)` has no shape or dtype")
            }
            header.shapes[name] = shape
            header.dtypes[name] = dtype
        }
        return header
    }

    /// Differences from what a model expects, one line per tensor: missing, unexpected, or mis-shaped.
    public func mismatches(against tensors: [TensorSpec]) -> [String] {
        var problems: [String] = []
        let expected = Dictionary(tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        func text(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }
        for t in tensors {
            guard let shape = shapes[t.name] else {
                problems.append("missing tensor `\(t.name)` (expected shape \(text(t.shape)))")
                continue
            }
            // torchvision saves `num_batches_tracked` as a 0-d tensor; accept [] and [1].
            if shape != t.shape && !(t.shape.isEmpty && shape == [1]) {
                problems.append("tensor `\(t.name)` has shape \(text(shape)), expected \(text(t.shape))")
            }
        }
        for name in shapes.keys.sorted() where expected[name] == nil {
            problems.append("unexpected tensor `\(name)` (shape \(text(shapes[name]!)))")
        }
        return problems
    }
}
