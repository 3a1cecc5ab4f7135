import Foundation
import AssaySupport

/// An action-cache entry: a stage key, the recipe it was computed from, and what it produced.
///
/// The recipe (operator, version, parameters, input digests by slot) makes `explain` possible
/// without the history; the outputs' sizes and modification times let a cache hit be checked
/// with one `stat` per output instead of re-hashing the object.
public struct ActionRecord: Equatable, Sendable {
    public struct Output: Equatable, Sendable {
        public var name: String
        public var digest: Digest
        public var size: Int64
        /// The object's mtime when the record was written (nanoseconds since 1970).
        public var modifiedNanoseconds: Int64
    }

    public var key: Digest
    public var stage: String
    public var operatorName: String
    public var operatorVersion: Int
    public var parameters: [UInt8]
    public var inputs: [(slot: String, digest: Digest)]
    public var outputs: [Output]
    public var metrics: [String: Double]
    /// JSON tables reported by the stage, by name.
    public var tables: [String: [UInt8]]
    /// Seconds the operator ran.
    public var duration: Double
    /// Seconds since 1970.
    public var createdAt: Double
    /// Where the stage executed (Assay's version and commit, BLAS, CPU, threads): recorded for
    /// lineage, never part of the key. Empty in records written before it was recorded.
    public var environment: [String: String] = [:]

    public func output(named name: String) -> Output? { outputs.first { $0.name == name } }

    public static func == (a: ActionRecord, b: ActionRecord) -> Bool {
        a.key == b.key && a.stage == b.stage && a.operatorName == b.operatorName && a.operatorVersion == b.operatorVersion
            && a.parameters == b.parameters && a.inputs.map(\.slot) == b.inputs.map(\.slot)
            && a.inputs.map(\.digest) == b.inputs.map(\.digest) && a.outputs == b.outputs && a.metrics == b.metrics
            && a.tables == b.tables && a.duration == b.duration && a.createdAt == b.createdAt
            && a.environment == b.environment
    }
}

// MARK: - Encoding
//
// A line-oriented text header, then the blobs it announces, back to back:
//
//   assay-action 1
//   key <hex>            stage <name>          operator <name>       version <n>
//   duration <s>         created <s>
//   input <slot> <hex>   output <name> <hex> <size> <mtime-ns>   metric <name> <value>
//   env <name> <value>   table <name> <len>   params <len>
//   checksum <hex>
//   --
//   <table bytes…><params bytes>
//
// Names are percent-escaped (space, newline, %), so a record parses with a byte scanner,
// fast enough to read ten thousand of them in a no-op rerun.
//
// `checksum` is the SHA-256 of the whole record without its own line: a record whose bytes
// were damaged or edited (a metric changed by hand) no longer matches it and is refused,
// never served. Records written before checksums existed have no such line; they are read
// as before and `assay verify` reports them as unchecksummed.

extension ActionRecord {
    static let magic = "assay-action 1"

    public func encoded() -> [UInt8] {
        var text = ActionRecord.magic + "\n"
        text += "key \(key.hex)\nstage \(escape(stage))\noperator \(escape(operatorName))\nversion \(operatorVersion)\n"
        text += "duration \(duration)\ncreated \(createdAt)\n"
        for input in inputs { text += "input \(escape(input.slot)) \(input.digest.hex)\n" }
        for o in outputs { text += "output \(escape(o.name)) \(o.digest.hex) \(o.size) \(o.modifiedNanoseconds)\n" }
        for (name, value) in metrics.sorted(by: { $0.key < $1.key }) { text += "metric \(escape(name)) \(value)\n" }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { text += "env \(escape(name)) \(escape(value))\n" }
        let tableNames = tables.keys.sorted()
        for name in tableNames { text += "table \(escape(name)) \(tables[name]!.count)\n" }
        text += "params \(parameters.count)\n"
        var unsealed = Array(text.utf8)
        let headerEnd = unsealed.count
        unsealed += Array("--\n".utf8)
        for name in tableNames { unsealed += tables[name]! }
        unsealed += parameters
        let seal = Array("checksum \(Digest.of(unsealed).hex)\n".utf8)
        unsealed.insert(contentsOf: seal, at: headerEnd)
        return unsealed
    }

    public static func decode(_ bytes: [UInt8], path: String) throws -> ActionRecord {
        try decodeReportingSeal(bytes, path: path).record
    }

    /// Decodes a record and says whether it carried a checksum (it matched, or this throws).
    /// `sealed` is false only for records written before checksums existed.
    public static func decodeReportingSeal(_ bytes: [UInt8], path: String) throws -> (record: ActionRecord, sealed: Bool) {
        // A byte scanner: a no-op rerun decodes one record per stage, so no per-line Strings.
        try bytes.withUnsafeBufferPointer { buffer in try decode(buffer, path: path) }
    }

    /// Decodes without checking the checksum: only to name the stage of a refused record.
    static func decodeIgnoringChecksum(_ bytes: [UInt8], path: String) throws -> ActionRecord {
        try bytes.withUnsafeBufferPointer { buffer in try decode(buffer, path: path, checkingSeal: false).record }
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, path: String, checkingSeal: Bool = true) throws -> (record: ActionRecord, sealed: Bool) {
        func fail(_ message: String) -> EngineError { .malformedRecord(path: path, message: message) }
        var key: Digest?
        var stage = "", operatorName = ""
        var version = 0
        var duration = 0.0, created = 0.0
        var inputs: [(slot: String, digest: Digest)] = []
        var outputs: [Output] = []
        var metrics: [String: Double] = [:]
        var environment: [String: String] = [:]
        var tableLengths: [(String, Int)] = []
        var parameterLength = -1
        var checksum: (line: Range<Int>, digest: Digest)?
        let count = bytes.count
        var position = 0
        let magicBytes = Array(magic.utf8)
        guard count > magicBytes.count, magicBytes.elementsEqual(bytes[0..<magicBytes.count]), bytes[magicBytes.count] == 10 else {
            throw fail("expected `\(magic)` on the first line")
        }
        position = magicBytes.count + 1
        var fields: [Range<Int>] = []
        fields.reserveCapacity(6)
        var terminated = false
        while position < count {
            var end = position
            while end < count && bytes[end] != 10 { end += 1 }
            guard end < count else { break }
            let lineStart = position
            position = end + 1
            if end - lineStart == 2 && bytes[lineStart] == 45 && bytes[lineStart + 1] == 45 { terminated = true; break }
            fields.removeAll(keepingCapacity: true)
            var fieldStart = lineStart
            for i in lineStart...end where i == end || bytes[i] == 32 {
                fields.append(fieldStart..<i)
                fieldStart = i + 1
            }
            func line() -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<end]), as: UTF8.self) }
            func field(_ i: Int) throws -> Range<Int> {
                guard i < fields.count else { throw fail("line `\(line())` has too few fields") }
                return fields[i]
            }
            func name(_ i: Int) throws -> String {
                let r = try field(i)
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
                return bytes[r].contains(37) ? unescape(Substring(text)) : text
            }
            func digest(_ i: Int) throws -> Digest {
                guard let d = Digest(hexDigits: UnsafeBufferPointer(rebasing: bytes[try field(i)])) else { throw fail("bad digest in `\(line())`") }
                return d
            }
            func integer(_ i: Int) throws -> Int64 {
                let r = try field(i)
                var value: Int64 = 0
                var negative = false
                for (n, j) in r.enumerated() {
                    let b = bytes[j]
                    if n == 0 && b == 45 { negative = true; continue }
                    guard b >= 48 && b <= 57 else { throw fail("bad integer in `\(line())`") }
                    value = value &* 10 &+ Int64(b - 48)
                }
                guard !r.isEmpty else { throw fail("bad integer in `\(line())`") }
                return negative ? -value : value
            }
            func real(_ i: Int) throws -> Double {
                let r = try field(i)
                guard let v = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)) else {
                    throw fail("bad number in `\(line())`")
                }
                return v
            }
            guard let tag = fields.first else { continue }
            // The tag's bytes packed into one integer (every tag has at most 8): one comparison each.
            var word: UInt64 = 0
            if tag.count <= 8 { for i in tag { word = word << 8 | UInt64(bytes[i]) } }
            switch word {
            case Tag.key: key = try digest(1)
            case Tag.stage: stage = try name(1)
            case Tag.operatorName: operatorName = try name(1)
            case Tag.version: version = Int(try integer(1))
            case Tag.duration: duration = try real(1)
            case Tag.created: created = try real(1)
            case Tag.input: inputs.append((try name(1), try digest(2)))
            case Tag.output:
                outputs.append(Output(name: try name(1), digest: try digest(2), size: try integer(3), modifiedNanoseconds: try integer(4)))
            case Tag.metric: metrics[try name(1)] = try real(2)
            case Tag.environment: environment[try name(1)] = try name(2)
            case Tag.table: tableLengths.append((try name(1), Int(try integer(2))))
            case Tag.params: parameterLength = Int(try integer(1))
            case Tag.checksum: checksum = (lineStart..<position, try digest(1))
            default: break  // fields from a newer writer are ignored
            }
        }
        guard terminated else { throw fail("header is not terminated by `--`") }
        guard let key, parameterLength >= 0 else { throw fail("missing `key` or `params`") }
        var tables: [String: [UInt8]] = [:]
        for (name, length) in tableLengths {
            guard length >= 0, position + length <= count else { throw fail("table `\(name)` is truncated") }
            tables[name] = Array(bytes[position..<position + length])
            position += length
        }
        guard position + parameterLength == count else { throw fail("parameters are truncated") }
        if let checksum, checkingSeal {
            var hasher = SHA256Hasher()
            hasher.update(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[0..<checksum.line.lowerBound])))
            hasher.update(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[checksum.line.upperBound..<count])))
            guard hasher.finalize() == checksum.digest else {
                throw fail("its checksum does not match its contents (the file was damaged or edited)")
            }
        }
        let record = ActionRecord(
            key: key, stage: stage, operatorName: operatorName, operatorVersion: version,
            parameters: Array(bytes[position...]), inputs: inputs, outputs: outputs, metrics: metrics,
            tables: tables, duration: duration, createdAt: created, environment: environment)
        return (record, checksum != nil)
    }

    /// Header tags as the decoder compares them: their bytes packed big-endian into an integer.
    private enum Tag {
        static let key: UInt64 = 0x6B6579, stage: UInt64 = 0x73_7461_6765, operatorName: UInt64 = 0x6F70_6572_6174_6F72
        static let version: UInt64 = 0x76_6572_7369_6F6E, duration: UInt64 = 0x6475_7261_7469_6F6E, created: UInt64 = 0x63_7265_6174_6564
        static let input: UInt64 = 0x69_6E70_7574, output: UInt64 = 0x6F75_7470_7574, metric: UInt64 = 0x6D65_7472_6963
        static let environment: UInt64 = 0x656E76, table: UInt64 = 0x74_6162_6C65, params: UInt64 = 0x7061_7261_6D73
        static let checksum: UInt64 = 0x6368_6563_6B73_756D
    }
}

func escape(_ name: String) -> String {
    // Scanned as one buffer: a run record's header escapes the whole parameters JSON.
    var scanned = name
    let clean = scanned.withUTF8 { bytes in !bytes.contains(where: { $0 == 32 || $0 == 10 || $0 == 37 || $0 == 13 }) }
    if clean && !name.isEmpty { return name }
    if name.isEmpty { return "%00" }
    var out = ""
    for ch in name.unicodeScalars {
        switch ch {
        case " ": out += "%20"
        case "\n": out += "%0A"
        case "\r": out += "%0D"
        case "%": out += "%25"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out
}

func unescape(_ field: Substring) -> String {
    if !field.contains("%") { return String(field) }
    if field == "%00" { return "" }
    return String(field)
        .replacingOccurrences(of: "%20", with: " ").replacingOccurrences(of: "%0A", with: "\n")
        .replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%25", with: "%")
}
