import AssaySupport
import Foundation

/// The action records a run used, in one file (`snapshots/<name>`), each beside the identity its
/// file in `actions/` had when it was read: the next run of the same plan reads this one file
/// and `stat`s each record instead of opening, reading and checksumming ten thousand of them.
///
/// It is a cache, never the truth: an entry is served only while its record file has exactly the
/// identity noted (device, inode, size, mtime, ctime — as git's index trusts a file), so a record
/// rewritten, replaced or removed by any process, or edited in place, is read from its file
/// again. An identity so recent that a later write could keep it (``FileIdentity/isRacy``) is not
/// noted at all. The file ends with a CRC-32 (``CacheChecksum``) of everything before it: a snapshot that is damaged,
/// truncated or not one at all is ignored (and rewritten by the next run), never trusted.
///
///     assay-snapshot 1
///     <key hex> <device> <inode> <size> <mtime-ns> <ctime-ns> <length>
///     <the record's bytes, as in its file, then a newline>
///     …
///     end <entries> <crc32 hex>
struct RecordSnapshot {
    struct Entry {
        var identity: FileIdentity
        var bytes: Range<Int>
    }

    static let magic = "assay-snapshot 1"

    /// The file name of a plan's snapshot: its experiment and the shape of its points. Two plans
    /// that share a name only overwrite each other's snapshot (every entry is checked by key and
    /// identity), so this needs to tell plans apart, not describe them.
    static func name(for points: [(point: String, plan: Plan)], experimentPath: String) -> String {
        var h = SHA256Hasher()
        func field(_ s: String) {
            h.update(String(s.utf8.count) + ":")
            h.update(s)
        }
        field(magic)
        field(experimentPath)
        for (point, plan) in points {
            field(point)
            field(String(plan.nodes.count))
            field(plan.nodes.first?.id ?? "")
            field(plan.nodes.last?.id ?? "")
        }
        return h.finalize().hex
    }

    private(set) var bytes: [UInt8] = []
    private(set) var entries: [Digest: Entry] = [:]

    init() {}

    /// Parses a snapshot; nil when it is damaged or truncated in any way.
    init?(decoding bytes: [UInt8]) {
        let parsed: [Digest: Entry]? = bytes.withUnsafeBufferPointer { buffer in RecordSnapshot.parse(buffer) }
        guard let parsed else { return nil }
        self.bytes = bytes
        entries = parsed
    }

    /// The record filed under `key` as this snapshot holds it, decoded without re-checking its seal:
    /// its bytes were checked when they were read from their file, and the snapshot's CRC since.
    func record(_ entry: Entry, key: Digest) -> ActionRecord? {
        let record = bytes.withUnsafeBufferPointer { buffer in
            try? ActionRecord.decode(UnsafeBufferPointer(rebasing: buffer[entry.bytes]), path: "snapshot", checkingSeal: false).record
        }
        return record?.key == key ? record : nil
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) -> [Digest: Entry]? {
        let magicBytes = Array(magic.utf8)
        guard b.count > magicBytes.count, magicBytes.elementsEqual(b[0..<magicBytes.count]), b[magicBytes.count] == 10 else { return nil }
        // The trailer: the last line, `end <entries> <crc32>`.
        guard b.last == 10 else { return nil }
        var trailerStart = b.count - 1
        while trailerStart > 0 && b[trailerStart - 1] != 10 { trailerStart -= 1 }
        let trailer = fields(b, trailerStart..<(b.count - 1))
        guard trailer.count == 3, b[trailer[0]].elementsEqual("end".utf8),
              let count = integer(b, trailer[1]), let crc = hexInteger(b, trailer[2]),
              count >= 0, count <= b.count, crc == UInt64(CacheChecksum.of(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[0..<trailerStart]))))
        else { return nil }
        var entries: [Digest: Entry] = [:]
        entries.reserveCapacity(Int(count))
        var position = magicBytes.count + 1
        while position < trailerStart {
            var end = position
            while end < trailerStart && b[end] != 10 { end += 1 }
            guard end < trailerStart else { return nil }
            let f = fields(b, position..<end)
            guard f.count == 7, let key = digest(b, f[0]), let device = integer(b, f[1]), let inode = integer(b, f[2]),
                  let size = integer(b, f[3]), let modified = integer(b, f[4]), let changed = integer(b, f[5]),
                  let length = integer(b, f[6]), length >= 0, length < trailerStart, end + 2 + Int(length) <= trailerStart,
                  b[end + 1 + Int(length)] == 10
            else { return nil }
            let start = end + 1
            entries[key] = Entry(
                identity: FileIdentity(
                    device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), size: size,
                    modifiedNanoseconds: modified, changedNanoseconds: changed, isDirectory: false),
                bytes: start..<(start + Int(length)))
            position = start + Int(length) + 1
        }
        guard position == trailerStart, entries.count == count else { return nil }
        return entries
    }

    // MARK: Writing

    /// Builds the next snapshot: entries kept from this one and records read from their files.
    struct Builder {
        private var text: [UInt8] = Array((RecordSnapshot.magic + "\n").utf8)
        private var keys = Set<Digest>()
        var count: Int { keys.count }

        mutating func add(key: Digest, identity: FileIdentity, record: some Collection<UInt8>) {
            guard keys.insert(key).inserted else { return }
            let header = "\(key.hex) \(Int64(bitPattern: identity.device)) \(Int64(bitPattern: identity.inode)) \(identity.size) "
                + "\(identity.modifiedNanoseconds) \(identity.changedNanoseconds) \(record.count)\n"
            text += header.utf8
            text += record
            text.append(10)
        }

        func encoded() -> [UInt8] {
            var out = text
            let crc = CacheChecksum.of(text)
            out += "end \(keys.count) \(String(crc, radix: 16))\n".utf8
            return out
        }
    }

    // MARK: Scanning

    private static func fields(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = range.lowerBound
        for i in range where b[i] == 32 {
            out.append(start..<i)
            start = i + 1
        }
        out.append(start..<range.upperBound)
        return out
    }

    private static func integer(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int64? {
        guard !r.isEmpty else { return nil }
        var value: Int64 = 0
        var negative = false
        for (n, i) in r.enumerated() {
            if n == 0 && b[i] == 45 && r.count > 1 { negative = true; continue }
            guard b[i] >= 48 && b[i] <= 57 else { return nil }
            value = value &* 10 &+ Int64(b[i] - 48)
        }
        return negative ? -value : value
    }

    private static func hexInteger(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt64? {
        guard !r.isEmpty, r.count <= 16 else { return nil }
        var value: UInt64 = 0
        for i in r {
            guard let v = nibble(b[i]) else { return nil }
            value = value << 4 | UInt64(v)
        }
        return value
    }

    private static func digest(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Digest? {
        Digest(hexDigits: UnsafeBufferPointer(rebasing: b[r]))
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        default: return nil
        }
    }
}
