import AssayEngine
import AssaySupport

/// The plan cache's file format: a magic line, a table of the distinct strings, then
/// length-prefixed fields referring to strings by index, and the CRC-32 of all of it at the end
/// (``CacheChecksum``: damage is what it must catch; the entry's key, inside, catches a misfiled one).
/// The table makes the thousands of repeated names (`cpus`, an operator, the experiment's folder,
/// an output name) one string each, stored and decoded once.
struct PlanCacheWriter {
    static let magic = Array("assay-plan-cache 2\n".utf8)

    private var body: [UInt8] = []
    private var strings: [String] = []
    private var index: [String: UInt32] = [:]

    mutating func int(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { body.append(contentsOf: $0) }
    }

    mutating func count(_ value: Int) { int(Int64(value)) }

    mutating func bool(_ value: Bool) { body.append(value ? 1 : 0) }

    mutating func string(_ value: String) {
        let i: UInt32
        if let known = index[value] { i = known } else {
            i = UInt32(strings.count)
            strings.append(value)
            index[value] = i
        }
        withUnsafeBytes(of: i.littleEndian) { body.append(contentsOf: $0) }
    }

    mutating func blob(_ value: [UInt8]) {
        count(value.count)
        body.append(contentsOf: value)
    }

    mutating func digest(_ value: Digest) { body.append(contentsOf: value.bytes) }

    /// The whole file: magic, string table, fields, checksum.
    func encoded() -> [UInt8] {
        var out = PlanCacheWriter.magic
        var table = PlanCacheWriter()
        table.count(strings.count)
        for s in strings { table.blob(Array(s.utf8)) }
        out += table.body
        out += body
        withUnsafeBytes(of: CacheChecksum.of(out).littleEndian) { out.append(contentsOf: $0) }
        return out
    }
}

/// Reads what ``PlanCacheWriter`` wrote; any inconsistency throws ``PlanCacheReader/Damaged``.
struct PlanCacheReader {
    struct Damaged: Error {}

    private let bytes: [UInt8]
    private var position: Int
    private var strings: [String] = []
    private let end: Int

    /// Checks the magic line and the checksum, then reads the string table.
    init(_ bytes: [UInt8]) throws {
        let magic = PlanCacheWriter.magic
        guard bytes.count >= magic.count + 4, bytes[0..<magic.count].elementsEqual(magic) else { throw Damaged() }
        end = bytes.count - 4
        var stored: UInt32 = 0
        for k in 0..<4 { stored |= UInt32(bytes[end + k]) << (8 * UInt32(k)) }
        guard CacheChecksum.of(bytes[0..<end]) == stored else { throw Damaged() }
        self.bytes = bytes
        position = magic.count
        let n = try count()
        guard n <= end - position else { throw Damaged() }
        strings.reserveCapacity(n)
        for _ in 0..<n {
            let length = try count()
            guard length <= end - position else { throw Damaged() }
            strings.append(String(decoding: bytes[position..<position + length], as: UTF8.self))
            position += length
        }
    }

    var atEnd: Bool { position == end }

    mutating func int() throws -> Int64 {
        guard end - position >= 8 else { throw Damaged() }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Int64(bitPattern: v)
    }

    /// A count or length: never negative, never more than the bytes left could hold.
    mutating func count() throws -> Int {
        let v = try int()
        guard v >= 0, v <= Int64(end - position) * 8 + 8 else { throw Damaged() }
        return Int(v)
    }

    mutating func bool() throws -> Bool {
        guard position < end else { throw Damaged() }
        defer { position += 1 }
        switch bytes[position] {
        case 0: return false
        case 1: return true
        default: throw Damaged()
        }
    }

    mutating func string() throws -> String {
        guard end - position >= 4 else { throw Damaged() }
        var i: UInt32 = 0
        for k in 0..<4 { i |= UInt32(bytes[position + k]) << (8 * UInt32(k)) }
        position += 4
        guard Int(i) < strings.count else { throw Damaged() }
        return strings[Int(i)]
    }

    mutating func blob() throws -> [UInt8] {
        let n = try count()
        guard n <= end - position else { throw Damaged() }
        defer { position += n }
        return Array(bytes[position..<position + n])
    }

    mutating func digest() throws -> Digest {
        guard end - position >= 32 else { throw Damaged() }
        defer { position += 32 }
        return Digest(bytes: Array(bytes[position..<position + 32]))
    }
}
