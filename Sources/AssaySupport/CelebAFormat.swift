import Foundation

/// CelebA's listing files as distributed (Liu et al., 2015), read by the checker (header and
/// partition) and by the loader (everything), so both agree on one reading of the format.
///
/// `list_attr_celeba.txt`: line 1 the image count, line 2 the attribute names, then one line per
/// image: its file name and one value per attribute, -1 or 1. `list_eval_partition.txt`: one line
/// per image: its file name and 0 (train), 1 (val) or 2 (test). Fields are separated by one or
/// more spaces or tabs; CRLF line ends and a missing final newline are accepted.
public enum CelebAFormat {
    public static let imageFolder = "img_align_celeba"
    public static let attributeFile = "list_attr_celeba.txt"
    public static let partitionFile = "list_eval_partition.txt"
    public static let splitNames = ["train", "val", "test"]

    /// What is wrong, at a 1-based line of the file.
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var message: String
        public var description: String { "\(path):\(line): \(message)" }

        public init(path: String, line: Int, message: String) {
            self.path = path
            self.line = line
            self.message = message
        }
    }

    /// The first two lines of the attribute file.
    public struct AttributeHeader: Hashable, Sendable {
        /// The image count on line 1.
        public var count: Int
        public var names: [String]
    }

    /// One image line of the attribute file: values 0 (for -1) or 1, in header order.
    public struct AttributeRow: Hashable, Sendable {
        public var image: String
        public var values: [UInt8]
        public var line: Int
    }

    /// The partition file: one entry per image line, in file order.
    public struct Partition: Hashable, Sendable {
        public var images: [String]
        /// 0 train, 1 val, 2 test.
        public var splits: [UInt8]
        public var lines: [Int]

        /// Images per split, train, val, test.
        public var counts: [Int] {
            var c = [0, 0, 0]
            for s in splits { c[Int(s)] += 1 }
            return c
        }
    }

    /// Reads the header from the start of the file only (the checker's cost does not grow with the data set).
    public static func attributeHeader(path: String) throws -> AttributeHeader {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Problem(path: path, line: 1, message: "cannot open the file") }
        defer { try? handle.close() }
        let head = [UInt8](handle.readData(ofLength: 1 << 16))
        var header: AttributeHeader?
        try forEachLine(head, stopAfter: 2) { number, fields in
            if number == 1 { header = AttributeHeader(count: try imageCount(fields, path: path), names: []) } else { header?.names = fields.map { String(decoding: $0, as: UTF8.self) } }
        }
        guard let header, !header.names.isEmpty else {
            throw Problem(path: path, line: header == nil ? 1 : 2, message: "expected the image count on line 1 and the attribute names on line 2, found \(header == nil ? "an empty file" : "no names")")
        }
        try checkNames(header.names, path: path)
        return header
    }

    /// Reads the whole attribute file; every image line must have one value per attribute, each -1 or 1.
    public static func attributes(path: String) throws -> (header: AttributeHeader, rows: [AttributeRow]) {
        let bytes = try contents(path)
        var header = AttributeHeader(count: 0, names: [])
        var rows: [AttributeRow] = []
        try forEachLine(bytes) { number, fields in
            switch number {
            case 1:
                header.count = try imageCount(fields, path: path)
                rows.reserveCapacity(header.count)
            case 2:
                header.names = fields.map { String(decoding: $0, as: UTF8.self) }
                try checkNames(header.names, path: path)
            default:
                if fields.isEmpty { return }
                guard fields.count == header.names.count + 1 else {
                    throw Problem(path: path, line: number, message: "expected a file name and \(header.names.count) values, found \(fields.count) fields")
                }
                var values = [UInt8](repeating: 0, count: header.names.count)
                for (k, field) in fields.dropFirst().enumerated() {
                    if field.elementsEqual([0x31]) {                                   // "1"
                        values[k] = 1
                    } else if !field.elementsEqual([0x2D, 0x31]) && !field.elementsEqual([0x30]) {   // "-1" (CelebA's) or "0"
                        throw Problem(path: path, line: number, message: "attribute `\(header.names[k])`: expected -1 or 1, found `\(String(decoding: field, as: UTF8.self))`")
                    }
                }
                rows.append(AttributeRow(image: String(decoding: fields[0], as: UTF8.self), values: values, line: number))
            }
        }
        guard !header.names.isEmpty else { throw Problem(path: path, line: 1, message: "expected the image count on line 1 and the attribute names on line 2") }
        guard rows.count == header.count else {
            throw Problem(path: path, line: 1, message: "the count says \(header.count) images, but the file lists \(rows.count)")
        }
        return (header, rows)
    }

    /// Reads and checks the whole partition file (a byte scan: cheap enough for the checker at CelebA's 202,599 lines).
    public static func partition(path: String) throws -> Partition {
        let bytes = try contents(path)
        var result = Partition(images: [], splits: [], lines: [])
        var seen: [String: Int] = [:]
        try forEachLine(bytes) { number, fields in
            if fields.isEmpty { return }
            guard fields.count == 2 else {
                throw Problem(path: path, line: number, message: "expected a file name and a partition 0, 1 or 2, found \(fields.count) field\(fields.count == 1 ? "" : "s")")
            }
            let code = Array(fields[1])
            guard code.count == 1, (0x30 ... 0x32).contains(code[0]) else {
                throw Problem(path: path, line: number, message: "expected a partition 0 (train), 1 (val) or 2 (test), found `\(String(decoding: fields[1], as: UTF8.self))`")
            }
            let image = String(decoding: fields[0], as: UTF8.self)
            if let first = seen[image] {
                throw Problem(path: path, line: number, message: "image `\(image)` is listed twice (first on line \(first))")
            }
            seen[image] = number
            result.images.append(image)
            result.splits.append(code[0] - 0x30)
            result.lines.append(number)
        }
        guard !result.images.isEmpty else { throw Problem(path: path, line: 1, message: "expected one line per image, found an empty file") }
        return result
    }

    private static func contents(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(path: path, line: 1, message: "cannot read the file") }
        return [UInt8](data)
    }

    private static func imageCount(_ fields: [ArraySlice<UInt8>], path: String) throws -> Int {
        guard fields.count == 1, let n = Int(String(decoding: fields[0], as: UTF8.self)), n >= 0 else {
            throw Problem(path: path, line: 1, message: "expected the image count, found `\(fields.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " "))`")
        }
        return n
    }

    private static func checkNames(_ names: [String], path: String) throws {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw Problem(path: path, line: 2, message: "attribute `\(name)` is named twice")
        }
    }

    /// Calls `body` with each line's 1-based number and its fields (none for a blank line).
    private static func forEachLine(_ bytes: [UInt8], stopAfter: Int = .max, _ body: (Int, [ArraySlice<UInt8>]) throws -> Void) throws {
        var number = 0, start = 0
        while start < bytes.count, number < stopAfter {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            number += 1
            try body(number, bytes[start ..< end].split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }))
            start = end + 1
        }
    }
}
