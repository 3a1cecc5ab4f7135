import AssaySupport
import Foundation

/// Reads and writes state dicts in the safetensors format (as the Python `safetensors`
/// package); ``SafetensorsLayout`` knows the container, this converts tensors.
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
        SafetensorsLayout.encode(tensors.mapValues(float32), metadata: metadata)
    }

    /// A tensor's values as a safetensors F32 entry (little-endian).
    public static func float32(_ tensor: Tensor) -> SafetensorsLayout.Tensor {
        var bytes = [UInt8](repeating: 0, count: 4 * tensor.count)
        bytes.withUnsafeMutableBytes { out in
            for (i, v) in tensor.data.enumerated() { out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        }
        return SafetensorsLayout.Tensor(dtype: "F32", shape: tensor.shape, bytes: bytes)
    }

    /// Parses safetensors bytes; `source` names the file in errors.
    public static func decode(_ bytes: [UInt8], source: String = "<memory>") throws -> Contents {
        let layout: SafetensorsLayout
        do { layout = try SafetensorsLayout.parse(bytes) } catch let failure as SafetensorsLayout.Malformed {
            throw SafeTensorsError.malformed(path: source, reason: failure.reason)
        }
        var contents = Contents(tensors: [:], metadata: layout.metadata)
        for (name, entry) in layout.entries {
            guard let width = SafetensorsLayout.elementWidth(entry.dtype) else {
                throw SafeTensorsError.unsupportedType(path: source, tensor: name, dtype: entry.dtype)
            }
            let count = entry.shape.reduce(1, *)
            let (size, overflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow, entry.dataOffsets.count == size else {
                throw SafeTensorsError.malformed(path: source, reason: "tensor '\(name)' (\(entry.dtype) \(entry.shape)) has data_offsets [\(entry.dataOffsets.lowerBound), \(entry.dataOffsets.upperBound)] that do not match its size")
            }
            let values = convert(bytes, from: layout.dataStart + entry.dataOffsets.lowerBound, count: count, dtype: entry.dtype)
            contents.tensors[name] = Tensor(values, shape: entry.shape)
        }
        return contents
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
