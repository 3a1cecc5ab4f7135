import Foundation

/// The text of one source file with a table of where each line starts.
///
/// Line breaks are the ones YAML (and libyaml) recognise: LF, CR LF, CR, and
/// the Unicode NEL, LS and PS, so that line numbers agree with the parser's.
public struct SourceFile: Sendable {
    public let path: String
    /// The raw bytes as read (possibly not valid UTF-8).
    public let bytes: [UInt8]
    /// Byte offset at which each line starts; `lineStarts[0] == 0`.
    public let lineStarts: [Int]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        self.lineStarts = SourceFile.computeLineStarts(bytes)
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// Reads a file from disk; the error is Foundation's (the caller turns it into a diagnostic).
    public static func read(path: String) throws -> SourceFile {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return SourceFile(path: path, bytes: [UInt8](data))
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var lineCount: Int { lineStarts.count }

    /// The text of a 1-based line, without its line break.
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] : bytes.count
        while end > start, SourceFile.isBreakByte(bytes[end - 1]) { end -= 1 }
        // Strip the multi-byte breaks (NEL C2 85, LS/PS E2 80 A8/A9) too.
        if end - start >= 2, bytes[end - 2] == 0xC2, bytes[end - 1] == 0x85 { end -= 2 }
        if end - start >= 3, bytes[end - 3] == 0xE2, bytes[end - 2] == 0x80, bytes[end - 1] == 0xA8 || bytes[end - 1] == 0xA9 { end -= 3 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The location of a UTF-8 byte offset.
    public func location(ofOffset offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
        }
        var column = 1
        var i = lineStarts[lo]
        while i < clamped {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        // A continuation byte at `clamped` would split a scalar; the column counts whole scalars.
        return SourceLocation(line: lo + 1, column: column, offset: clamped)
    }

    /// The location of a 1-based line and a 1-based column counted in Unicode scalars.
    public func location(line: Int, column: Int) -> SourceLocation {
        guard line >= 1, line <= lineStarts.count else {
            return location(ofOffset: line < 1 ? 0 : bytes.count)
        }
        let end = line < lineStarts.count ? lineStarts[line] : bytes.count
        var offset = lineStarts[line - 1]
        var remaining = column - 1
        while remaining > 0, offset < end {
            offset += 1
            while offset < end, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            remaining -= 1
        }
        return SourceLocation(line: line, column: column - remaining, offset: offset)
    }

    /// A span from two byte offsets.
    public func span(from start: Int, to end: Int) -> SourceSpan {
        SourceSpan(file: path, start: location(ofOffset: start), end: location(ofOffset: end))
    }

    /// The byte offset of the first invalid UTF-8 sequence, or nil if the bytes are valid UTF-8.
    public func firstInvalidUTF8Offset() -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            let length: Int
            if b < 0x80 { i += 1; continue }
            else if b >= 0xC2 && b <= 0xDF { length = 2 }
            else if b >= 0xE0 && b <= 0xEF { length = 3 }
            else if b >= 0xF0 && b <= 0xF4 { length = 4 }
            else { return i }
            guard i + length <= n else { return i }
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            if length == 3 {
                if b == 0xE0 && bytes[i + 1] < 0xA0 { return i }
                if b == 0xED && bytes[i + 1] > 0x9F { return i }
            } else if length == 4 {
                if b == 0xF0 && bytes[i + 1] < 0x90 { return i }
                if b == 0xF4 && bytes[i + 1] > 0x8F { return i }
            }
            i += length
        }
        return nil
    }

    private static func isBreakByte(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }

    private static func computeLineStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        starts.reserveCapacity(bytes.count / 32 + 1)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0A {
                starts.append(i + 1)
            } else if b == 0x0D {
                if i + 1 < n, bytes[i + 1] == 0x0A { i += 1 }
                starts.append(i + 1)
            } else if b == 0xC2, i + 1 < n, bytes[i + 1] == 0x85 {
                i += 1
                starts.append(i + 1)
            } else if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                i += 2
                starts.append(i + 1)
            }
            i += 1
        }
        return starts
    }
}
