/// How LSP positions count characters within a line: UTF-16 code units (the protocol's default),
/// UTF-8 bytes or Unicode scalars, as negotiated through `general.positionEncodings`.
public enum PositionEncoding: String, Sendable {
    case utf16 = "utf-16", utf8 = "utf-8", utf32 = "utf-32"
}

/// Where each line of a text starts, by the protocol's line breaks (LF, CR LF, CR), and the conversion
/// between UTF-8 byte offsets (what spans hold) and LSP positions.
public struct LineTable: Sendable {
    public let bytes: [UInt8]
    public let lineStarts: [Int]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                starts.append(i + 1)
            } else if bytes[i] == 0x0D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        lineStarts = starts
    }

    /// The end of a line's content (before its break).
    public func lineEnd(_ line: Int) -> Int {
        var end = line + 1 < lineStarts.count ? lineStarts[line + 1] : bytes.count
        while end > lineStarts[line], bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        return end
    }

    /// The byte offset of a position; positions past the end of a line or of the text are clamped, as the protocol asks.
    public func offset(line: Int, character: Int, encoding: PositionEncoding) -> Int {
        guard line >= 0 else { return 0 }
        guard line < lineStarts.count else { return bytes.count }
        let end = lineEnd(line)
        var i = lineStarts[line]
        var units = 0
        while i < end, units < character {
            let (length, width) = Self.scalar(at: i, in: bytes)
            let step = encoding == .utf8 ? length : encoding == .utf32 ? 1 : width
            if units + step > character { break }
            units += step
            i += length
        }
        return min(i, end)
    }

    /// The position of a byte offset (clamped to the text).
    public func position(ofOffset offset: Int, encoding: PositionEncoding) -> (line: Int, character: Int) {
        let clamped = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
        }
        var i = lineStarts[lo]
        var units = 0
        while i < clamped {
            let (length, width) = Self.scalar(at: i, in: bytes)
            units += encoding == .utf8 ? min(length, clamped - i) : encoding == .utf32 ? 1 : width
            i += length
        }
        return (lo, units)
    }

    /// The byte length of the UTF-8 sequence at `i` and its width in UTF-16 code units (invalid bytes count as one each).
    static func scalar(at i: Int, in bytes: [UInt8]) -> (length: Int, utf16: Int) {
        let b = bytes[i]
        let length = b < 0x80 ? 1 : b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 1
        guard i + length <= bytes.count, (1..<length).allSatisfy({ bytes[i + $0] & 0xC0 == 0x80 }) else { return (1, 1) }
        return (length, length == 4 ? 2 : 1)
    }
}
