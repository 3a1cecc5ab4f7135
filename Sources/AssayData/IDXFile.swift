import AssaySupport
import Foundation

/// The IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian magic
/// `0x0000 type rank`, `rank` big-endian UInt32 dimensions, then the raw values.
/// Only unsigned bytes (type 0x08) occur in these data sets.
enum IDXFile {
    struct Contents {
        var dimensions: [Int]
        var values: ArraySlice<UInt8>
    }

    /// Reads a (optionally gzipped) IDX file of unsigned bytes with the expected rank.
    static func read(_ url: URL, rank: Int) throws -> Contents {
        let path = url.path
        let bytes: [UInt8]
        if path.hasSuffix(".gz") {
            bytes = try GzipFile.read(url)
        } else {
            guard FileManager.default.fileExists(atPath: path) else { throw DataError.missingFile(path: path, role: "IDX file") }
            do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
                throw DataError.unreadableFile(path: path, reason: SystemErrorText.reason(error))
            }
        }
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08, Int(bytes[3]) == rank else {
            let magic = bytes.prefix(4).map { String(format: "%02x", $0) }.joined()
            throw DataError.malformedFile(path: path, expected: "an IDX file of unsigned bytes with rank \(rank) (magic 000008\(String(format: "%02x", rank)))", found: "magic \(magic)")
        }
        guard bytes.count >= 4 + 4 * rank else {
            throw DataError.malformedFile(path: path, expected: "an IDX header of \(4 + 4 * rank) bytes", found: "only \(bytes.count) bytes")
        }
        var dimensions: [Int] = []
        for d in 0 ..< rank {
            let o = 4 + 4 * d
            dimensions.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let header = 4 + 4 * rank
        let expected = dimensions.reduce(1, *)
        guard bytes.count - header == expected else {
            throw DataError.malformedFile(path: path, expected: "\(dimensions.map(String.init).joined(separator: "×")) = \(expected) values", found: "\(bytes.count - header) bytes of data")
        }
        return Contents(dimensions: dimensions, values: bytes[header...])
    }
}
