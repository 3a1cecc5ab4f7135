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
        var dimensions: [Int] = []
        var values: [UInt8] = []
        try stream(url, rank: rank, header: { dimensions = $0; values.reserveCapacity($0.reduce(1, *)) }) { values.append(contentsOf: $0) }
        return Contents(dimensions: dimensions, values: values[...])
    }

    /// The dimensions in the header of the IDX file at `url`, decompressing no more than the header.
    static func dimensions(_ url: URL, rank: Int) throws -> [Int] {
        struct Found: Error { var dimensions: [Int] }
        do { try stream(url, rank: rank, header: { throw Found(dimensions: $0) }) { _ in } } catch let found as Found { return found.dimensions }
        preconditionFailure("an IDX stream ended without its header")
    }

    /// Streams a (optionally gzipped) IDX file: `header` gets the dimensions once, `values` then the values
    /// in pieces, in order; a wrong magic, a short header or a value count other than the dimensions' product
    /// is an error naming the file (the count is checked at the end, after every piece was handed over).
    static func stream(_ url: URL, rank: Int, header: ([Int]) throws -> Void, values: (UnsafeRawBufferPointer) throws -> Void) throws {
        let path = url.path
        let headerLength = 4 + 4 * rank
        var head: [UInt8] = []
        var dimensions: [Int]?
        var valueCount = 0
        func checkMagic() throws {
            guard head.count >= 4, head[0] == 0, head[1] == 0, head[2] == 0x08, Int(head[3]) == rank else {
                let magic = head.prefix(4).map { String(format: "%02x", $0) }.joined()
                throw DataError.malformedFile(path: path, expected: "an IDX file of unsigned bytes with rank \(rank) (magic 000008\(String(format: "%02x", rank)))", found: "magic \(magic)")
            }
        }
        func take(_ piece: UnsafeRawBufferPointer) throws {
            var rest = piece[...]
            if dimensions == nil {
                let k = min(headerLength - head.count, rest.count)
                head += rest.prefix(k)
                rest = rest.dropFirst(k)
                if head.count >= 4 { try checkMagic() }
                guard head.count == headerLength else { return }
                let found = (0 ..< rank).map { d in
                    let o = 4 + 4 * d
                    return Int(head[o]) << 24 | Int(head[o + 1]) << 16 | Int(head[o + 2]) << 8 | Int(head[o + 3])
                }
                dimensions = found
                try header(found)
            }
            if !rest.isEmpty {
                valueCount += rest.count
                try values(UnsafeRawBufferPointer(rebasing: rest))
            }
        }
        if path.hasSuffix(".gz") {
            try GzipFile.stream(url, consume: take)
        } else {
            let file: MappedFile
            do { file = try MappedFile(path: path) } catch DataError.missingFile(let path, _) { throw DataError.missingFile(path: path, role: "IDX file") }
            try withExtendedLifetime(file) { try take(file.bytes) }
        }
        guard let dimensions else {
            try checkMagic()
            throw DataError.malformedFile(path: path, expected: "an IDX header of \(headerLength) bytes", found: "only \(head.count) bytes")
        }
        let expected = dimensions.reduce(1, *)
        guard valueCount == expected else {
            throw DataError.malformedFile(path: path, expected: "\(dimensions.map(String.init).joined(separator: "×")) = \(expected) values", found: "\(valueCount) bytes of data")
        }
    }
}
