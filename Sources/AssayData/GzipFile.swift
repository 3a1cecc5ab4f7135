import AssaySupport
import CZlib
import Foundation

/// Reads a whole gzip (or zlib) file into memory with zlib's streaming inflate.
enum GzipFile {
    /// The decompressed bytes of the file at `url`; concatenated gzip members are joined.
    static func read(_ url: URL) throws -> [UInt8] {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError.missingFile(path: path, role: "gzip file")
        }
        let compressed: Data
        do {
            compressed = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw DataError.unreadableFile(path: path, reason: SystemErrorText.reason(error))
        }
        return try inflate(compressed, path: path)
    }

    static func inflate(_ compressed: Data, path: String) throws -> [UInt8] {
        // The gzip trailer holds the uncompressed size mod 2^32: a good first capacity.
        var capacity = max(compressed.count * 4, 1 << 16)
        if compressed.count >= 18 {
            let tail = compressed.suffix(4)
            let isize = tail.reversed().reduce(0) { ($0 << 8) | Int($1) }
            // Deflate expands at most ~1032:1, so a corrupt trailer cannot ask for more.
            if isize > 0 { capacity = min(isize, compressed.count * 1032) }
        }
        var output = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        try compressed.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            var stream = z_stream()
            // 15 + 32: maximum window, detect gzip or zlib header automatically.
            guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw DataError.malformedFile(path: path, expected: "a gzip stream", found: "zlib could not initialise")
            }
            defer { inflateEnd(&stream) }
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                if produced == output.count {
                    output += [UInt8](repeating: 0, count: output.count)
                }
                let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(out.count - produced)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced = out.count - Int(stream.avail_out)
                    return status
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
        output.removeSubrange(produced...)
        return output
    }
}
