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

    public func output(named name: String) -> Output? { outputs.first { $0.name == name } }

    public static func == (a: ActionRecord, b: ActionRecord) -> Bool {
        a.key == b.key && a.stage == b.stage && a.operatorName == b.operatorName && a.operatorVersion == b.operatorVersion
            && a.parameters == b.parameters && a.inputs.map(\.slot) == b.inputs.map(\.slot)
            && a.inputs.map(\.digest) == b.inputs.map(\.digest) && a.outputs == b.outputs && a.metrics == b.metrics
            && a.tables == b.tables && a.duration == b.duration && a.createdAt == b.createdAt
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
//   table <name> <len>   params <len>
//   --
//   <table bytes…><params bytes>
//
// Names are percent-escaped (space, newline, %), so a record parses with a byte scanner,
// fast enough to read ten thousand of them in a no-op rerun.

extension ActionRecord {
    static let magic = "assay-action 1"

    public func encoded() -> [UInt8] {
        var text = ActionRecord.magic + "\n"
        text += "key \(key.hex)\nstage \(escape(stage))\noperator \(escape(operatorName))\nversion \(operatorVersion)\n"
        text += "duration \(duration)\ncreated \(createdAt)\n"
        for input in inputs { text += "input \(escape(input.slot)) \(input.digest.hex)\n" }
        for o in outputs { text += "output \(escape(o.name)) \(o.digest.hex) \(o.size) \(o.modifiedNanoseconds)\n" }
        for (name, value) in metrics.sorted(by: { $0.key < $1.key }) { text += "metric \(escape(name)) \(value)\n" }
        let tableNames = tables.keys.sorted()
        for name in tableNames { text += "table \(escape(name)) \(tables[name]!.count)\n" }
        text += "params \(parameters.count)\n--\n"
        var bytes = Array(text.utf8)
        for name in tableNames { bytes += tables[name]! }
        bytes += parameters
        return bytes
    }

    public static func decode(_ bytes: [UInt8], path: String) throws -> ActionRecord {
        func fail(_ message: String) -> EngineError { .malformedRecord(path: path, message: message) }
        var key: Digest?
        var stage = "", operatorName = ""
        var version = 0
        var duration = 0.0, created = 0.0
        var inputs: [(slot: String, digest: Digest)] = []
        var outputs: [Output] = []
        var metrics: [String: Double] = [:]
        var tableLengths: [(String, Int)] = []
        var parameterLength = -1
        var position = 0
        var sawMagic = false
        var fields: [Substring] = []
        while position < bytes.count {
            guard let end = bytes[position...].firstIndex(of: 10) else { throw fail("header is not terminated by `--`") }
            let line = String(decoding: bytes[position..<end], as: UTF8.self)
            position = end + 1
            if !sawMagic {
                guard line == magic else { throw fail("expected `\(magic)`, found `\(line.prefix(40))`") }
                sawMagic = true
                continue
            }
            if line == "--" { break }
            fields = line.split(separator: " ", omittingEmptySubsequences: false)
            func field(_ i: Int) throws -> Substring {
                guard i < fields.count else { throw fail("line `\(line)` has too few fields") }
                return fields[i]
            }
            func digest(_ i: Int) throws -> Digest {
                guard let d = Digest(hex: String(try field(i))) else { throw fail("bad digest in `\(line)`") }
                return d
            }
            func number<T: LosslessStringConvertible>(_ i: Int, _: T.Type) throws -> T {
                guard let v = T(String(try field(i))) else { throw fail("bad number in `\(line)`") }
                return v
            }
            switch fields[0] {
            case "key": key = try digest(1)
            case "stage": stage = unescape(try field(1))
            case "operator": operatorName = unescape(try field(1))
            case "version": version = try number(1, Int.self)
            case "duration": duration = try number(1, Double.self)
            case "created": created = try number(1, Double.self)
            case "input": inputs.append((unescape(try field(1)), try digest(2)))
            case "output":
                outputs.append(Output(
                    name: unescape(try field(1)), digest: try digest(2), size: try number(3, Int64.self),
                    modifiedNanoseconds: try number(4, Int64.self)))
            case "metric": metrics[unescape(try field(1))] = try number(2, Double.self)
            case "table": tableLengths.append((unescape(try field(1)), try number(2, Int.self)))
            case "params": parameterLength = try number(1, Int.self)
            default: break  // fields from a newer writer are ignored
            }
        }
        guard let key, parameterLength >= 0 else { throw fail("missing `key` or `params`") }
        var tables: [String: [UInt8]] = [:]
        for (name, length) in tableLengths {
            guard position + length <= bytes.count else { throw fail("table `\(name)` is truncated") }
            tables[name] = Array(bytes[position..<position + length])
            position += length
        }
        guard position + parameterLength == bytes.count else { throw fail("parameters are truncated") }
        return ActionRecord(
            key: key, stage: stage, operatorName: operatorName, operatorVersion: version,
            parameters: Array(bytes[position...]), inputs: inputs, outputs: outputs, metrics: metrics,
            tables: tables, duration: duration, createdAt: created)
    }
}

func escape(_ name: String) -> String {
    if !name.utf8.contains(where: { $0 == 32 || $0 == 10 || $0 == 37 || $0 == 13 }) && !name.isEmpty { return name }
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
