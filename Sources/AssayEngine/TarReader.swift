import AssaySupport
import Foundation

/// Reads the entries written by ``TarWriter`` (and ordinary ustar files with regular entries).
struct TarReader {
    private let handle: FileHandle
    let path: String

    init(path: String) throws {
        self.path = path
        do { handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) } catch {
            throw EngineError.archive(path: path, message: "cannot open: \(SystemErrorText.reason(error))")
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
