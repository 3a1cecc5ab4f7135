import Foundation

/// The base protocol's framing: `Content-Length: N\r\n\r\n` then N bytes of JSON.
public enum MessageFraming {
    public static func frame(_ body: Data) -> Data {
        var out = Data("Content-Length: \(body.count)\r\n\r\n".utf8)
        out.append(body)
        return out
    }
}

/// What the reader found in the input.
public enum FramedMessage {
    case message(Data)
    /// A header block without a usable `Content-Length`; the reader skipped it.
    case badHeader(String)
}

/// Reads framed messages from a byte stream (stdin, or a pipe in tests).
public final class MessageReader {
    private let readChunk: () -> Data
    private var buffer = Data()
    private var atEnd = false
    /// A message larger than this is refused (a runaway client must not exhaust memory).
    public static let maximumLength = 256 << 20

    /// `readChunk` blocks until bytes arrive and returns empty data at the end of the input.
    public init(readChunk: @escaping () -> Data) {
        self.readChunk = readChunk
    }

    public convenience init(handle: FileHandle) {
        self.init(readChunk: { handle.availableData })
    }

    /// The next message, or nil at the end of the input.
    public func next() -> FramedMessage? {
        let separator = Data("\r\n\r\n".utf8)
        while true {
            if let range = buffer.range(of: separator) {
                let header = String(decoding: buffer[buffer.startIndex..<range.lowerBound], as: UTF8.self)
                var length: Int?
                for line in header.split(separator: "\r\n") {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length" {
                        length = Int(parts[1].trimmingCharacters(in: .whitespaces))
                    }
                }
                guard let n = length, n >= 0, n <= Self.maximumLength else {
                    buffer.removeSubrange(buffer.startIndex..<range.upperBound)
                    return .badHeader(header)
                }
                while buffer.count - (range.upperBound - buffer.startIndex) < n {
                    if !fill() { return nil }
                }
                let start = range.upperBound
                let body = buffer.subdata(in: start..<(start + n))
                buffer.removeSubrange(buffer.startIndex..<(start + n))
                buffer = Data(buffer)  // re-base indices at 0
                return .message(body)
            }
            if !fill() { return nil }
        }
    }

    /// Whether another message has already arrived (its header is read), so that handling it needs no wait.
    public var hasBufferedMessage: Bool { buffer.range(of: Data("\r\n\r\n".utf8)) != nil }

    private func fill() -> Bool {
        if atEnd { return false }
        let chunk = readChunk()
        if chunk.isEmpty { atEnd = true; return false }
        buffer.append(chunk)
        return true
    }
}
