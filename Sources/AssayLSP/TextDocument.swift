import AssaySupport
import Foundation

/// An open editor buffer: its text as bytes, the client's URI and version.
public struct TextDocument: Sendable {
    public var uri: String
    public var path: String
    public var version: Int
    public private(set) var lines: LineTable

    public init(uri: String, path: String, version: Int, text: String) {
        self.uri = uri
        self.path = path
        self.version = version
        self.lines = LineTable(Array(text.utf8))
    }

    public var bytes: [UInt8] { lines.bytes }
    public var source: SourceFile { SourceFile(path: path, bytes: lines.bytes) }

    /// Applies one `contentChanges` entry: a whole new text, or a range replaced.
    public mutating func apply(text: String, range: (start: (line: Int, character: Int), end: (line: Int, character: Int))?, encoding: PositionEncoding) {
        guard let range else {
            lines = LineTable(Array(text.utf8))
            return
        }
        let start = lines.offset(line: range.start.line, character: range.start.character, encoding: encoding)
        let end = max(start, lines.offset(line: range.end.line, character: range.end.character, encoding: encoding))
        var bytes = lines.bytes
        bytes.replaceSubrange(start..<end, with: Array(text.utf8))
        lines = LineTable(bytes)
    }

    /// `file:///a%20b/c.yaml` → `/a b/c.yaml`; nil for other schemes.
    public static func path(fromURI uri: String) -> String? {
        guard let url = URL(string: uri), url.isFileURL else { return nil }
        return url.path
    }

    public static func uri(fromPath path: String) -> String { URL(fileURLWithPath: path).absoluteString }
}
