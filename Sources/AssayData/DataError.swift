/// Everything that can go wrong while loading, deriving, storing or rendering a data set.
///
/// Each message says what was expected, where (file path, CSV line and column,
/// image that failed to decode) and how to fix it; the CLI prints `description`.
public enum DataError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A file the loader needs does not exist.
    case missingFile(path: String, role: String)
    /// A file exists but could not be read (permissions, I/O).
    case unreadableFile(path: String, reason: String)
    /// A file could not be created or written.
    case unwritableFile(path: String, reason: String)
    /// A file's bytes are not in the expected format (IDX magic, gzip stream, artifact header).
    case malformedFile(path: String, expected: String, found: String)
    /// A syntax or value error in a CSV or listing file at a 1-based line (and CSV column, when known).
    case csvSyntax(path: String, line: Int, column: String?, message: String)
    /// Required CSV columns are absent.
    case missingColumns(path: String, missing: [String], found: [String])
    /// An image could not be decoded.
    case imageDecoding(path: String, reason: String)
    /// An image could not be encoded or written.
    case imageEncoding(path: String, reason: String)
    /// A class name that the data set does not have.
    case unknownClass(name: String, known: [String])
    /// An attribute name that the data set does not have.
    case unknownAttribute(name: String, known: [String])
    /// A split name that the data set does not have.
    case unknownSplit(name: String, known: [String])
    /// A group (label × attributes) has no examples.
    case emptyGroup(group: String, context: String)
    /// Images, labels or masks disagree in shape or count.
    case shapeMismatch(what: String, expected: String, found: String)
    /// A derivation or split was asked for something impossible.
    case invalidParameter(name: String, value: String, expected: String)
    /// Splits overlap or do not cover the data.
    case invalidPartition(reason: String)
    /// A problem with a file listed in a metadata table, at that table's 1-based line.
    indirect case listed(table: String, line: Int, problem: DataError)

    public var description: String {
        switch self {
        case let .missingFile(path, role):
            return "missing \(role) `\(path)`: no such file. To fix, check the path, or the data set's `path:` or `root:`."
        case let .unreadableFile(path, reason):
            return "cannot read `\(path)`: \(reason). To fix, check that the file is readable."
        case let .unwritableFile(path, reason):
            let fix = reason.hasPrefix("disk") ? "free space on that disk" : "check that the directory exists and is writable"
            return "cannot write `\(path)`: \(reason). To fix, \(fix)."
        case let .malformedFile(path, expected, found):
            return "`\(path)` is not \(expected) (found \(found)). To fix, re-download or regenerate the file."
        case let .csvSyntax(path, line, column, message):
            let where_ = column.map { "\(path):\(line), column `\($0)`" } ?? "\(path):\(line)"
            return "\(where_): \(message)"
        case let .missingColumns(path, missing, found):
            return "`\(path)` lacks column(s) \(missing.map { "`\($0)`" }.joined(separator: ", ")); "
                + "columns found: \(found.map { "`\($0)`" }.joined(separator: ", ")). "
                + "To fix, rename the header or declare which column to use."
        case let .imageDecoding(path, reason):
            return "cannot decode image `\(path)`: \(reason). To fix, replace the file or remove its row from the metadata."
        case let .imageEncoding(path, reason):
            return "cannot write image `\(path)`: \(reason)."
        case let .unknownClass(name, known):
            return "unknown class `\(name)`; classes are \(known.map { "`\($0)`" }.joined(separator: ", "))."
        case let .unknownAttribute(name, known):
            let list = known.isEmpty ? "the data set has no attributes" : "attributes are " + known.map { "`\($0)`" }.joined(separator: ", ")
            return "unknown attribute `\(name)`; \(list)."
        case let .unknownSplit(name, known):
            return "unknown split `\(name)`; splits are \(known.map { "`\($0)`" }.joined(separator: ", "))."
        case let .emptyGroup(group, context):
            return "group (\(group)) is empty in \(context). To fix, lower the correlation below 1, use more data, or group by fewer attributes."
        case let .shapeMismatch(what, expected, found):
            return "\(what): expected \(expected), found \(found)."
        case let .invalidParameter(name, value, expected):
            return "invalid `\(name)`: \(value); expected \(expected)."
        case let .invalidPartition(reason):
            return "invalid split: \(reason)."
        case let .listed(table, line, problem):
            return "\(table):\(line): \(problem.description)"
        }
    }
}
