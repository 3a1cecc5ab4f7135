import AssaySupport
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
            throw EngineError.archive(path: path, message: SystemErrorText.reason(error, path: path))
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
        do { try handle.write(contentsOf: bytes) } catch { throw EngineError.archive(path: path, message: SystemErrorText.reason(error, path: path)) }
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
