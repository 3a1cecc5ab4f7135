/// A half-open range `[start, end)` of one source file.
public struct SourceSpan: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The file's path as the user named it (used in `--> path:line:col`).
    public var file: String
    public var start: SourceLocation
    public var end: SourceLocation

    public init(file: String, start: SourceLocation, end: SourceLocation) {
        self.file = file
        self.start = start
        self.end = end < start ? start : end
    }

    /// A zero-width span at the start of a file, for problems with the file as a whole.
    public static func startOf(_ file: String) -> SourceSpan {
        let origin = SourceLocation(line: 1, column: 1, offset: 0)
        return SourceSpan(file: file, start: origin, end: origin)
    }

    public var description: String { "\(file):\(start)" }
}
