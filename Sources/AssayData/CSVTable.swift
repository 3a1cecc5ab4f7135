import AssaySupport
import Foundation

/// A parsed CSV file (RFC 4180): a header row and string cells.
///
/// Accepts quoted fields with embedded commas, quotes (`""`) and line breaks,
/// CRLF or LF line ends, a UTF-8 byte order mark and a missing final newline.
/// Every row remembers the 1-based line it starts on, so errors can name it.
public struct CSVTable: Sendable {
    public var path: String
    public var header: [String]
    /// The 1-based file line on which each row starts.
    public var rowLines: [Int]
    /// The cells' bytes, row after row, in one buffer: a listing of 200,000 images as an array of
    /// strings per row would cost several times the file. Cell k (row-major) is
    /// `cellBytes[cellEnds[k - 1] ..< cellEnds[k]]`; every row has `header.count` cells.
    private var cellBytes: [UInt8]
    private var cellEnds: [Int]

    public var rowCount: Int { rowLines.count }

    /// Every row's cells as strings (made when asked for).
    public var rows: [[String]] { (0 ..< rowCount).map { r in header.indices.map { cell(row: r, column: $0) } } }

    /// Reads and parses the CSV file at `url`.
    public static func read(_ url: URL) throws -> CSVTable {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DataError.missingFile(path: url.path, role: "CSV file")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError.unreadableFile(path: url.path, reason: SystemErrorText.reason(error))
        }
        return try parse([UInt8](data), path: url.path)
    }

    /// Parses CSV bytes; `path` only names the source in errors.
    public static func parse(_ bytes: [UInt8], path: String) throws -> CSVTable {
        // Records are kept flat (`cellBytes`, `cellEnds`) with their field counts, checked against the header at the end.
        var cellBytes: [UInt8] = [], cellEnds: [Int] = [], fieldCounts: [Int] = []
        var header: [String]?
        var lines: [Int] = []
        var field: [UInt8] = []
        var record: [String] = []
        var line = 1, recordLine = 1
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        var inQuotes = false, fieldWasQuoted = false, recordHasContent = false

        func finishField() throws {
            guard let text = String(validating: field, as: UTF8.self) else {
                throw DataError.csvSyntax(path: path, line: line, column: nil, message: "field \(record.count + 1) is not valid UTF-8")
            }
            record.append(text)
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func finishRecord() throws {
            try finishField()
            // A blank line is not a record.
            if recordHasContent || record.count > 1 || !(record.first ?? "").isEmpty {
                if header == nil { header = record } else {
                    for text in record {
                        cellBytes += text.utf8
                        cellEnds.append(cellBytes.count)
                    }
                    fieldCounts.append(record.count)
                    lines.append(recordLine)
                }
            }
            record.removeAll(keepingCapacity: true)
            recordHasContent = false
        }

        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(c)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if c == UInt8(ascii: "\n") { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "\""):
                if !field.isEmpty || fieldWasQuoted {
                    throw DataError.csvSyntax(path: path, line: line, column: nil,
                                              message: "a quote inside unquoted field \(record.count + 1); quote the whole field and double inner quotes (\"\")")
                }
                inQuotes = true
                fieldWasQuoted = true
                recordHasContent = true
            case UInt8(ascii: ","):
                try finishField()
                recordHasContent = true
            case UInt8(ascii: "\r"):
                if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                try finishRecord()
                line += 1
                recordLine = line
            case UInt8(ascii: "\n"):
                try finishRecord()
                line += 1
                recordLine = line
            default:
                if fieldWasQuoted {
                    throw DataError.csvSyntax(path: path, line: line, column: nil,
                                              message: "text after the closing quote of field \(record.count + 1)")
                }
                field.append(c)
            }
            i += 1
        }
        if inQuotes {
            throw DataError.csvSyntax(path: path, line: recordLine, column: nil, message: "a quoted field is not closed before the end of the file")
        }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted { try finishRecord() }

        guard let header else {
            throw DataError.csvSyntax(path: path, line: 1, column: nil, message: "the file is empty; expected a header row")
        }
        let trimmedHeader = header.map { $0.trimmingCharacters(in: .whitespaces) }
        if let k = fieldCounts.firstIndex(where: { $0 != header.count }) {
            throw DataError.csvSyntax(path: path, line: lines[k], column: nil,
                                      message: "expected \(header.count) fields as in the header, found \(fieldCounts[k])")
        }
        return CSVTable(path: path, header: trimmedHeader, rowLines: lines, cellBytes: cellBytes, cellEnds: cellEnds)
    }

    /// The column indices of `names`, or an error naming every missing column and the columns found.
    public func columns(_ names: [String]) throws -> [Int] {
        let missing = names.filter { !header.contains($0) }
        if !missing.isEmpty { throw DataError.missingColumns(path: path, missing: missing, found: header) }
        return names.map { header.firstIndex(of: $0)! }
    }

    /// Cell `column` of row `row`, parsed as an integer; errors name the line and column.
    public func integer(row: Int, column: Int) throws -> Int {
        let text = string(row: row, column: column)
        guard let value = Int(text) else {
            throw DataError.csvSyntax(path: path, line: rowLines[row], column: header[column], message: "expected an integer, found `\(text)`")
        }
        return value
    }

    /// Cell `column` of row `row`, trimmed of spaces.
    public func string(row: Int, column: Int) -> String {
        cell(row: row, column: column).trimmingCharacters(in: .whitespaces)
    }

    /// Cell `column` of row `row` as written.
    private func cell(row: Int, column: Int) -> String {
        let k = row * header.count + column
        return String(decoding: cellBytes[(k == 0 ? 0 : cellEnds[k - 1]) ..< cellEnds[k]], as: UTF8.self)
    }
}
