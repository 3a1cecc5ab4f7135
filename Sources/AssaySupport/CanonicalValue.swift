/// A JSON-like value with exactly one byte encoding, used for cache keys.
///
/// Canonical form (``canonicalJSON``):
/// - maps are written with keys sorted by their UTF-8 bytes, no whitespace;
/// - integers (`.int`) are written as decimal integers;
/// - doubles (`.double`) are written in the shortest form that round-trips
///   (Swift's `description`), always with a `.` or an exponent, so `0.001` and
///   `1e-3` give `0.001` and `1.0` gives `1.0`. An int and a double are
///   therefore *different* values (`1` ≠ `1.0`); the checker removes the
///   ambiguity by converting every number to the type its parameter schema
///   declares before it builds a canonical value. `-0.0` is written `0.0`;
///   NaN and infinities, which JSON cannot carry, are written as the strings
///   `"nan"`, `"inf"`, `"-inf"` (the checker never lets them through);
/// - strings are UTF-8 with only `"`, `\` and control characters escaped
///   (`\n`, `\t`, ... and `\u00XX`).
public indirect enum CanonicalValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([CanonicalValue])
    case map([String: CanonicalValue])

    /// The canonical UTF-8 JSON bytes.
    public var canonicalJSON: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    /// The canonical JSON as a string.
    public var canonicalString: String { String(decoding: canonicalJSON, as: UTF8.self) }

    /// SHA-256 of ``canonicalJSON``.
    public var digest: Digest { Digest.of(canonicalJSON) }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: CanonicalValue.format(d).utf8)
        case .string(let s): CanonicalValue.writeString(s, into: &out)
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .map(let entries):
            out.append(UInt8(ascii: "{"))
            for (i, entry) in entries.sorted(by: { CanonicalValue.utf8Precedes($0.key, $1.key) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                CanonicalValue.writeString(entry.key, into: &out)
                out.append(UInt8(ascii: ":"))
                entry.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Keys ordered by their UTF-8 bytes (not by Swift's String ordering, which is Unicode-aware).
    public static func sortedKeys(_ map: [String: CanonicalValue]) -> [String] {
        // This sort runs for every map of every stage's parameters on every command.
        map.keys.sorted(by: utf8Precedes)
    }

    /// Byte order of the UTF-8 encodings, compared over contiguous bytes (the generic
    /// comparison of two `UTF8View`s costs several times more on a 10,000-stage experiment).
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for i in 0..<min(x.count, y.count) where x[i] != y[i] { return x[i] < y[i] }
                return x.count < y.count
            }
        }
    }

    /// Shortest round-trip text of a double, always marked as a double.
    public static func format(_ d: Double) -> String {
        if d.isNaN { return "\"nan\"" }
        if d.isInfinite { return d > 0 ? "\"inf\"" : "\"-inf\"" }
        if d == 0 { return "0.0" }
        let text = d.description
        if text.contains(".") || text.contains("e") { return text }
        return text + ".0"
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings (names, paths, digests) need no escape: scanned and copied as one buffer.
        var s = s
        let copied = s.withUTF8 { bytes in
            if bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Accessors

    public subscript(key: String) -> CanonicalValue? {
        if case .map(let m) = self { return m[key] }
        return nil
    }

    public var intValue: Int? { if case .int(let i) = self { return i }; return nil }
    public var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var listValue: [CanonicalValue]? { if case .list(let l) = self { return l }; return nil }
    public var mapValue: [String: CanonicalValue]? { if case .map(let m) = self { return m }; return nil }
    /// A list of ints (`[3, 3]`), or nil.
    public var intList: [Int]? { listValue.flatMap { l in l.compactMap(\.intValue).count == l.count ? l.compactMap(\.intValue) : nil } }

    public static func == (a: CanonicalValue, b: CanonicalValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.map(let x), .map(let y)): return x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonicalJSON)
    }
}

extension CanonicalValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let i = try? container.decode(Int.self) { self = .int(i) }
        else if let d = try? container.decode(Double.self) { self = .double(d) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let l = try? container.decode([CanonicalValue].self) { self = .list(l) }
        else { self = .map(try container.decode([String: CanonicalValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .list(let l): try container.encode(l)
        case .map(let m): try container.encode(m)
        }
    }
}

extension CanonicalValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: CanonicalValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, CanonicalValue)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// A value that has one canonical form.
public protocol CanonicalConvertible {
    var canonical: CanonicalValue { get }
}

extension Int: CanonicalConvertible { public var canonical: CanonicalValue { .int(self) } }
extension Double: CanonicalConvertible { public var canonical: CanonicalValue { .double(self) } }
extension String: CanonicalConvertible { public var canonical: CanonicalValue { .string(self) } }
extension Bool: CanonicalConvertible { public var canonical: CanonicalValue { .bool(self) } }
extension Array: CanonicalConvertible where Element: CanonicalConvertible {
    public var canonical: CanonicalValue { .list(map(\.canonical)) }
}
