import AssaySupport
import CZlib
import Foundation

/// Reads gzip (or zlib) files with zlib's streaming inflate, whole or a piece at a time.
enum GzipFile {
    /// The decompressed bytes of the file at `url`; concatenated gzip members are joined.
    static func read(_ url: URL) throws -> [UInt8] {
        let compressed = try mapped(url)
        var output: [UInt8] = []
        try withExtendedLifetime(compressed) {
            output.reserveCapacity(sizeHint(compressed.bytes))
            try inflate(compressed.bytes, path: url.path) { output.append(contentsOf: $0) }
        }
        return output
    }

    /// Decompresses the file at `url` in pieces of at most 1 MiB handed to `consume` in order: memory
    /// holds one piece, not the file's contents.
    static func stream(_ url: URL, consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        let compressed = try mapped(url)
        try withExtendedLifetime(compressed) { try inflate(compressed.bytes, path: url.path, consume: consume) }
    }

    static func inflate(_ compressed: Data, path: String) throws -> [UInt8] {
        try compressed.withUnsafeBytes { input in
            var output: [UInt8] = []
            output.reserveCapacity(sizeHint(input))
            try inflate(input, path: path) { output.append(contentsOf: $0) }
            return output
        }
    }

    private static func mapped(_ url: URL) throws -> MappedFile {
        do { return try MappedFile(path: url.path) } catch DataError.missingFile(let path, _) {
            throw DataError.missingFile(path: path, role: "gzip file")
        }
    }

    /// The gzip trailer holds the uncompressed size mod 2^32: a good first capacity.
    private static func sizeHint(_ compressed: UnsafeRawBufferPointer) -> Int {
        var capacity = max(compressed.count * 4, 1 << 16)
        if compressed.count >= 18 {
            let isize = compressed.suffix(4).reversed().reduce(0) { ($0 << 8) | Int($1) }
            // Deflate expands at most ~1032:1, so a corrupt trailer cannot ask for more.
            if isize > 0 { capacity = min(isize, compressed.count * 1032) }
        }
        return capacity
    }

    private static func inflate(_ input: UnsafeRawBufferPointer, path: String, consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        var stream = z_stream()
        // 15 + 32: maximum window, detect gzip or zlib header automatically.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError.malformedFile(path: path, expected: "a gzip stream", found: "zlib could not initialise")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress)
        stream.avail_in = uInt(input.count)
        var piece = [UInt8](repeating: 0, count: 1 << 20)
        var produced = 0
        while true {
            let (status, filled): (Int32, Int) = piece.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress!
                stream.avail_out = uInt(out.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return (status, out.count - Int(stream.avail_out))
            }
            if filled > 0 {
                try piece.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[0 ..< filled])) }
                produced += filled
            }
            if status == Z_STREAM_END {
                // Another gzip member may follow (multi-member files).
                if stream.avail_in > 0 {
                    guard inflateReset(&stream) == Z_OK else { break }
                    continue
                }
                break
            }
            if status == Z_BUF_ERROR && stream.avail_in == 0 {
                throw DataError.malformedFile(path: path, expected: "a complete gzip stream", found: "a truncated stream after \(produced) bytes")
            }
            if status != Z_OK && status != Z_BUF_ERROR {
                let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw DataError.malformedFile(path: path, expected: "a gzip stream", found: message)
            }
        }
    }
}
