import AssaySupport
import Foundation

/// Reads and writes the safetensors format (as the Python `safetensors` package):
/// an 8-byte little-endian header length n, n bytes of JSON mapping each tensor
/// name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to
/// the data section) plus an optional `"__metadata__"` string map, then the
/// little-endian tensor bytes.
///
/// Writing emits F32 with names sorted (so equal state dicts give equal bytes);
/// reading accepts F32, F16, BF16, F64, I64, I32 and converts to Float32.
public enum SafeTensors {
    /// Tensors by name and the metadata map of a safetensors file.
    public struct Contents {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]

        public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// Reads the file at `path`.
    public static func read(path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SafeTensorsError.unreadable(path: path)
        }
        return try decode([UInt8](data), source: path)
    }

    /// Writes `tensors` (F32) and `metadata` to `path`, replacing it atomically.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        let bytes = encode(tensors, metadata: metadata)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SafeTensorsError.unwritable(path: path, reason: SystemErrorText.reason(error, path: path, bytesNeeded: bytes.count))
        }
    }

    /// The file bytes for `tensors` (F32, names sorted, header padded with spaces to 8 bytes).
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> [UInt8] {
        let names = tensors.keys.sorted()
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let size = t.count * 4
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for name in names {
            for v in tensors[name]!.data {
                withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        return bytes
    }

    /// Parses safetensors bytes; `source` names the file in errors.
    public static func decode(_ bytes: [UInt8], source: String = "<memory>") throws -> Contents {
        guard bytes.count >= 8 else { throw SafeTensorsError.malformed(path: source, reason: "file is \(bytes.count) bytes, shorter than the 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.malformed(path: source, reason: "header length \(headerLength) exceeds the file size \(bytes.count)")
        }
        let headerEnd = 8 + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
        } catch {
            throw SafeTensorsError.malformed(path: source, reason: "header is not valid JSON (\(SystemErrorText.reason(error)))")
        }
        guard let header = json as? [String: Any] else {
            throw SafeTensorsError.malformed(path: source, reason: "header is not a JSON object")
        }
        var contents = Contents(tensors: [:])
        let dataSize = bytes.count - headerEnd
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw SafeTensorsError.malformed(path: source, reason: "__metadata__ is not an object") }
                for (k, v) in map { contents.metadata[k] = v as? String ?? "\(v)" }
                continue
            }
            guard let entry = value as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2 else {
                throw SafeTensorsError.malformed(path: source, reason: "tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let width = elementWidth(dtype) else { throw SafeTensorsError.unsupportedType(path: source, tensor: name, dtype: dtype) }
            let count = shape.reduce(1, *)
            guard offsets[0] >= 0, offsets[1] <= dataSize, offsets[1] - offsets[0] == count * width else {
                throw SafeTensorsError.malformed(path: source, reason: "tensor '\(name)' (\(dtype) \(shape)) has data_offsets \(offsets) that do not match its size or the data section (\(dataSize) bytes)")
            }
            let values = convert(bytes, from: headerEnd + offsets[0], count: count, dtype: dtype)
            contents.tensors[name] = Tensor(values, shape: shape)
        }
        return contents
    }

    static func elementWidth(_ dtype: String) -> Int? {
        switch dtype {
        case "F32", "I32": return 4
        case "F16", "BF16": return 2
        case "F64", "I64": return 8
        default: return nil
        }
    }

    static func convert(_ bytes: [UInt8], from start: Int, count: Int, dtype: String) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + start
            for i in 0..<count {
                switch dtype {
                case "F32": out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                case "I32": out[i] = Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                case "F64": out[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                case "I64": out[i] = Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                case "BF16":
                    let half = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(half) << 16)
                default: // F16
                    let half = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = halfToFloat(half)
                }
            }
        }
        return out
    }

    /// IEEE 754 binary16 → binary32 (subnormals, infinities and NaN included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = (h & 0x8000) != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * Float(pow(2.0, -24.0))
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(pow(2.0, Double(exponent - 15)))
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(format: "%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Why a safetensors file could not be read or written.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String)
    case unwritable(path: String, reason: String)
    case malformed(path: String, reason: String)
    case unsupportedType(path: String, tensor: String, dtype: String)

    public var description: String {
        switch self {
        case let .unreadable(path): return "cannot read safetensors file '\(path)': check that it exists and is readable"
        case let .unwritable(path, reason): return "cannot write safetensors file '\(path)': \(reason)"
        case let .malformed(path, reason): return "'\(path)' is not a valid safetensors file: \(reason)"
        case let .unsupportedType(path, tensor, dtype):
            return "'\(path)': tensor '\(tensor)' has dtype \(dtype); supported: F32, F16, BF16, F64, I64, I32 (convert it with safetensors/numpy first)"
        }
    }
}
