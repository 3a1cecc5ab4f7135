/// Reading canonical JSON back into a ``CanonicalValue``.
///
/// Stages receive their parameters as the canonical bytes the planner hashed;
/// this parser keeps the int/double distinction those bytes carry (a number
/// with `.`, `e` or `E` is a double), which `JSONSerialization` would lose.
extension CanonicalValue {
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var offset: Int
        public var expected: String
        public var description: String { "invalid JSON at byte \(offset): expected \(expected)" }
    }

    public init(json bytes: [UInt8]) throws {
        var parser = JSONReader(bytes: bytes)
        self = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw ParseError(offset: parser.position, expected: "end of input") }
    }

    public init(json text: String) throws { try self.init(json: Array(text.utf8)) }
}

private struct JSONReader {
    let bytes: [UInt8]
    var position = 0

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    func fail(_ expected: String) -> CanonicalValue.ParseError { .init(offset: position, expected: expected) }

    mutating func value(depth: Int) throws -> CanonicalValue {
        guard depth < 512 else { throw fail("less nesting") }
        skipWhitespace()
        guard position < bytes.count else { throw fail("a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var entries: [String: CanonicalValue] = [:]
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .map(entries) }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("a string key") }
                let key = try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                entries[key] = try value(depth: depth + 1)
                skipWhitespace()
                if try separatorEnds(UInt8(ascii: "}")) { return .map(entries) }
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [CanonicalValue] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .list(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                if try separatorEnds(UInt8(ascii: "]")) { return .list(items) }
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return try number()
        }
    }

    /// After an item: `,` continues (false), `close` ends (true).
    mutating func separatorEnds(_ close: UInt8) throws -> Bool {
        guard position < bytes.count else { throw fail("`,` or `\(Character(Unicode.Scalar(close)))`") }
        if bytes[position] == UInt8(ascii: ",") { position += 1; return false }
        if bytes[position] == close { position += 1; return true }
        throw fail("`,` or `\(Character(Unicode.Scalar(close)))`")
    }

    mutating func expect(_ byte: UInt8) throws {
        guard position < bytes.count, bytes[position] == byte else { throw fail("`\(Character(Unicode.Scalar(byte)))`") }
        position += 1
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else { throw fail("`\(word)`") }
        position += w.count
    }

    mutating func number() throws -> CanonicalValue {
        let start = position
        var isDouble = false
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isDouble = true }
            guard (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
            else { break }
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if !isDouble, let i = Int(text) { return .int(i) }
        if let d = Double(text), !text.isEmpty { return .double(d) }
        position = start
        throw fail("a value")
    }

    mutating func string() throws -> String {
        position += 1  // opening quote
        var out: [UInt8] = []
        while position < bytes.count {
            let c = bytes[position]
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw fail("an escape") }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard position + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
                    else { throw fail("four hex digits") }
                    position += 4
                    var scalarValue = code
                    // A surrogate pair encodes one scalar beyond the BMP.
                    if (0xD800..<0xDC00).contains(code), position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                       bytes[position + 1] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: bytes[position + 2..<position + 6], as: UTF8.self), radix: 16),
                       (0xDC00..<0xE000).contains(low) {
                        position += 6
                        scalarValue = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalarValue) ?? "\u{FFFD}")).utf8))
                default: out.append(e)
                }
            default:
                out.append(c)
            }
        }
        throw fail("a closing `\"`")
    }
}
