import Foundation

/// The safetensors container format, independent of any tensor type: an 8-byte little-endian
/// header length `n`, `n` bytes of JSON mapping each tensor name to `{"dtype", "shape",
/// "data_offsets": [begin, end]}` (offsets into the data section) plus an optional
/// `"__metadata__"` string map, then the tensors' little-endian bytes.
///
/// The one home of the format: the checker reads headers with it (without loading data), the
/// tensor engine decodes and encodes state dicts with it, and model export writes with it.
///
/// ```swift
/// let layout = try SafetensorsLayout.readHeader(path: "resnet50.safetensors")
/// layout.entries["fc.weight"]?.shape   // [1000, 2048]
/// ```
public struct SafetensorsLayout: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var dtype: String
        public var shape: [Int]
        /// Byte range in the data section.
        public var dataOffsets: Range<Int>

        public init(dtype: String, shape: [Int], dataOffsets: Range<Int>) {
            self.dtype = dtype
            self.shape = shape
            self.dataOffsets = dataOffsets
        }
    }

    public var entries: [String: Entry]
    public var metadata: [String: String]
    /// Where the data section starts in the file: 8 + the header length.
    public var dataStart: Int

    /// Why bytes are not a safetensors layout; callers add the file's name.
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The file could not be opened.
    public struct Unreadable: Error, Equatable, CustomStringConvertible {
        public var path: String
        public init(path: String) { self.path = path }
        public var description: String { "cannot open `\(path)`" }
    }

    /// Headers above this size are rejected (the format's reference implementation's limit).
    public static let maxHeaderBytes = 100_000_000

    /// Element types the tensor engine converts to Float32.
    public static let readableDTypes: Set<String> = ["F32", "F16", "BF16", "F64", "I64", "I32"]

    /// Bytes per element of a readable dtype.
    public static func elementWidth(_ dtype: String) -> Int? {
        switch dtype {
        case "F32", "I32": return 4
        case "F16", "BF16": return 2
        case "F64", "I64": return 8
        default: return nil
        }
    }

    // MARK: Reading

    /// Parses the header of a whole file's bytes; the data offsets must lie in the data section.
    public static func parse(_ bytes: [UInt8]) throws -> SafetensorsLayout {
        guard bytes.count >= 8 else { throw Malformed(reason: "file is \(bytes.count) bytes, shorter than the 8-byte header length") }
        let length = headerLength(bytes[0..<8])
        guard length <= UInt64(bytes.count - 8) else {
            throw Malformed(reason: "header length \(length) exceeds the file size \(bytes.count)")
        }
        return try parseHeader(Data(bytes[8..<(8 + Int(length))]), dataSize: bytes.count - 8 - Int(length))
    }

    /// Reads only the header of the file at `path` (no tensor data is loaded); data offsets are
    /// not checked against the file's size.
    public static func readHeader(path: String) throws -> SafetensorsLayout {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Unreadable(path: path) }
        defer { try? handle.close() }
        let lengthBytes = [UInt8](handle.readData(ofLength: 8))
        guard lengthBytes.count == 8 else { throw Malformed(reason: "shorter than 8 bytes") }
        let length = headerLength(lengthBytes[0..<8])
        guard length > 1, length <= UInt64(maxHeaderBytes) else { throw Malformed(reason: "header length \(length) is not plausible") }
        let json = handle.readData(ofLength: Int(length))
        guard json.count == Int(length) else { throw Malformed(reason: "the file ends inside its \(length)-byte header") }
        return try parseHeader(json, dataSize: nil)
    }

    private static func headerLength(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    private static func parseHeader(_ json: Data, dataSize: Int?) throws -> SafetensorsLayout {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: json) } catch {
            throw Malformed(reason: "header is not valid JSON (\(SystemErrorText.reason(error)))")
        }
        guard let header = object as? [String: Any] else { throw Malformed(reason: "header is not a JSON object") }
        var layout = SafetensorsLayout(entries: [:], metadata: [:], dataStart: 8 + json.count)
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw Malformed(reason: "__metadata__ is not an object") }
                for (k, v) in map { layout.metadata[k] = v as? String ?? "\(v)" }
                continue
            }
            guard let entry = value as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw Malformed(reason: "tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(Optional(1), { product, n in product.flatMap { $0.multipliedReportingOverflow(by: n) }.flatMap { $0.overflow ? nil : $0.partialValue } }) != nil else {
                throw Malformed(reason: "tensor '\(name)' has shape \(shape): dimensions must be non-negative and their product must fit")
            }
            if let dataSize, offsets[1] > dataSize {
                throw Malformed(reason: "tensor '\(name)' (\(dtype) \(shape)) has data_offsets \(offsets) beyond the data section (\(dataSize) bytes)")
            }
            layout.entries[name] = Entry(dtype: dtype, shape: shape, dataOffsets: offsets[0]..<offsets[1])
        }
        return layout
    }

    // MARK: Writing

    /// One tensor to write: its dtype, shape and little-endian element bytes.
    public struct Tensor {
        public var dtype: String
        public var shape: [Int]
        public var bytes: [UInt8]

        public init(dtype: String, shape: [Int], bytes: [UInt8]) {
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }
    }

    /// The file bytes: names sorted, metadata keys sorted, header padded with spaces to a multiple
    /// of 8 bytes, so equal contents give equal bytes.
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
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"\(t.dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + t.bytes.count)]}")
            offset += t.bytes.count
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for name in names { bytes.append(contentsOf: tensors[name]!.bytes) }
        return bytes
    }

    /// A JSON string literal, escaped as canonical JSON escapes it (`/` is left as is, as
    /// Python's `json` writes it).
    static func jsonString(_ s: String) -> String { CanonicalValue.string(s).canonicalString }
}
