import Foundation

/// Just enough POSIX ustar to write and read flat archives of regular files, so that an
/// exported store can also be inspected with `tar tf`. Entries stream through in 1 MiB chunks.
struct TarWriter {
    private let handle: FileHandle
    let path: String

    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw EngineError.archive(path: path, message: "cannot create the file")
        }
        do { handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path)) } catch {
            throw EngineError.archive(path: path, message: error.localizedDescription)
        }
    }

    func add(name: String, bytes: [UInt8]) throws {
        try writeHeader(name: name, size: bytes.count)
        try write(bytes)
        try pad(bytes.count)
    }

    func add(name: String, fileAt source: String) throws {
        guard let size = FileSystem.fileStat(source)?.size else { throw EngineError.archive(path: source, message: "missing file") }
        try writeHeader(name: name, size: Int(size))
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: source))
        defer { try? input.close() }
        var written = 0
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            try write([UInt8](chunk))
            written += chunk.count
        }
        guard written == Int(size) else { throw EngineError.archive(path: source, message: "file changed while being archived") }
        try pad(written)
    }

    /// Two zero blocks end a tar archive.
    func finish() throws {
        try write([UInt8](repeating: 0, count: 1024))
        try handle.synchronize()
        try handle.close()
    }

    private func write(_ bytes: [UInt8]) throws {
        do { try handle.write(contentsOf: bytes) } catch { throw EngineError.archive(path: path, message: error.localizedDescription) }
    }

    private func pad(_ size: Int) throws {
        let rest = (512 - size % 512) % 512
        if rest > 0 { try write([UInt8](repeating: 0, count: rest)) }
    }

    private func writeHeader(name: String, size: Int) throws {
        let nameBytes = Array(name.utf8)
        guard nameBytes.count < 100 else { throw EngineError.archive(path: path, message: "entry name too long: \(name)") }
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { header[offset + i] = b } }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        header.replaceSubrange(0..<nameBytes.count, with: nameBytes)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        // The checksum is computed with its own field as spaces.
        for i in 148..<156 { header[i] = 32 }
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7), at: 148)
        header[155] = 32
        try write(header)
    }
}

/// Reads the entries written by ``TarWriter`` (and ordinary ustar files with regular entries).
struct TarReader {
    private let handle: FileHandle
    let path: String

    init(path: String) throws {
        self.path = path
        do { handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) } catch {
            throw EngineError.archive(path: path, message: "cannot open: \(error.localizedDescription)")
        }
    }

    /// Calls `body` for each regular file with its name, size and a chunk reader.
    func forEachEntry(_ body: (_ name: String, _ size: Int, _ read: (_ sink: ([UInt8]) throws -> Void) throws -> Void) throws -> Void) throws {
        defer { try? handle.close() }
        while true {
            let header = try readExactly(512)
            if header.allSatisfy({ $0 == 0 }) { return }
            let stored = parseOctal(header[148..<156])
            var sum = 0
            for (i, b) in header.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(b) }
            guard stored == sum else { throw EngineError.archive(path: path, message: "bad header checksum; the archive is damaged") }
            let nameEnd = header[0..<100].firstIndex(of: 0) ?? 100
            var name = String(decoding: header[0..<nameEnd], as: UTF8.self)
            let prefixEnd = header[345..<500].firstIndex(of: 0) ?? 500
            if prefixEnd > 345 { name = String(decoding: header[345..<prefixEnd], as: UTF8.self) + "/" + name }
            let size = parseOctal(header[124..<136])
            let type = header[156]
            var consumed = false
            let reader: (([UInt8]) throws -> Void) throws -> Void = { sink in
                var left = size
                while left > 0 {
                    let chunk = try readExactly(min(left, 1 << 20))
                    try sink(chunk)
                    left -= chunk.count
                }
                consumed = true
            }
            if type == UInt8(ascii: "0") || type == 0 {
                try body(name, size, reader)
            }
            if !consumed { try reader { _ in } }
            let rest = (512 - size % 512) % 512
            if rest > 0 { _ = try readExactly(rest) }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            guard let data = try handle.read(upToCount: count - out.count), !data.isEmpty else {
                throw EngineError.archive(path: path, message: "unexpected end of file; the archive is truncated")
            }
            out += data
        }
        return out
    }

    private func parseOctal(_ field: ArraySlice<UInt8>) -> Int {
        var value = 0
        for b in field {
            if b == 0 || b == 32 { if value > 0 { break } else { continue } }
            guard b >= 48 && b <= 55 else { break }
            value = value * 8 + Int(b - 48)
        }
        return value
    }
}
