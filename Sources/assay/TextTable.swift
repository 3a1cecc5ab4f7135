/// A plain-text table with columns padded to their widest cell; numbers right-aligned.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// Built in one byte buffer: `assay plan` renders one row per stage, 10,001 at a time.
    func render() -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], TextTable.width(cell)) }
        }
        var out: [UInt8] = []
        out.reserveCapacity((widths.reduce(0, +) + 2 * widths.count + 1) * all.count)
        func pad(_ n: Int) { if n > 0 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n)) } }
        func line(_ cells: [String]) {
            let start = out.count
            for (i, cell) in cells.enumerated() {
                if i > 0 { pad(2) }
                let padding = max(0, widths[i] - TextTable.width(cell))
                if TextTable.isNumber(cell) {
                    pad(padding)
                    out.append(contentsOf: cell.utf8)
                } else {
                    out.append(contentsOf: cell.utf8)
                    pad(padding)
                }
            }
            while out.count > start && out.last == UInt8(ascii: " ") { out.removeLast() }
        }
        line(header)
        out.append(UInt8(ascii: "\n"))
        for (i, width) in widths.enumerated() {
            if i > 0 { pad(2) }
            out.append(contentsOf: repeatElement(UInt8(ascii: "-"), count: width))
        }
        for row in rows {
            out.append(UInt8(ascii: "\n"))
            line(row)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A cell's width in characters; ASCII text (nearly every cell) by its length in bytes.
    private static func width(_ cell: String) -> Int {
        cell.utf8.allSatisfy { $0 < 0x80 } ? cell.utf8.count : cell.count
    }

    /// Right-aligned: a number, possibly with `%` or `s` (`85%`, `1.5s`).
    private static func isNumber(_ s: String) -> Bool {
        // What `Double(_:)` could accept starts with a sign, a digit, a point, `inf` or `nan`:
        // anything else (a stage name, a key) is not parsed at all.
        guard let first = s.utf8.first(where: { $0 != UInt8(ascii: "%") && $0 != UInt8(ascii: "s") }),
              "+-.0123456789iInN \t\n".utf8.contains(first) else { return false }
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "s") }) else { return Double(s) != nil }
        return Double(String(s.unicodeScalars.filter { $0 != "%" && $0 != "s" })) != nil
    }
}

/// Numbers as the CLI shows them: metrics with four decimals, durations in s/min/h.
enum Format {
    static func metric(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v == v.rounded(), abs(v) < 1e9 { return String(Int(v)) }
        return String(format: "%.4f", v)
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.0fms", seconds * 1000) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return String(format: "%.1fmin", seconds / 60) }
        return String(format: "%.1fh", seconds / 3600)
    }
}

import Foundation
