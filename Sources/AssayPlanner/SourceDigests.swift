import AssaySupport
import Foundation

/// Content digests of the files and folders an experiment reads from outside the store
/// (data set folders, weight files, target images).
///
/// A source enters a stage's key by its content, so editing a file reruns what reads it,
/// and the same bytes at another path or on another machine do not. Hashing a large
/// folder on every `assay run` would make a no-op rerun slow, so digests are remembered
/// per file by (size, modification time) in a small JSON file in the store, the way
/// `make` and git's index trust stat data.
public final class SourceDigests: @unchecked Sendable {
    /// A file's stat data and digest (the digest kept as bytes, written as hex as before: a folder of
    /// many files keeps one entry each).
    private struct Entry: Codable { var size: Int64; var modified: Int64; var digest: Digest }

    private let cacheURL: URL?
    private var entries: [String: Entry] = [:]
    /// Folders digested here: their files' stat data and digests, by folder path.
    private var folders: [String: FolderFiles] = [:]
    private var dirty = false
    private var consulted: [String: Digest] = [:]
    private let lock = NSLock()

    /// `cacheFile` nil keeps digests in memory only.
    public init(cacheFile: URL?) {
        cacheURL = cacheFile
        if let url = cacheFile, let data = try? Data(contentsOf: url),
           let decoded = try? JSONDecoder().decode([String: Entry].self, from: data) {
            entries = decoded
        }
    }

    /// The digest of a file's bytes, or of a folder's sorted (relative path, file digest) list.
    public func digest(of path: String) throws -> Digest {
        let digest = try computeDigest(of: path)
        lock.lock()
        consulted[path] = digest
        lock.unlock()
        return digest
    }

    /// Every file or folder ``digest(of:)`` was asked about, with its answer: what the plans
    /// lowered with this object took from outside the store (a cached plan re-asks them).
    public var consultedDigests: [String: Digest] {
        lock.lock()
        defer { lock.unlock() }
        return consulted
    }

    private func computeDigest(of path: String) throws -> Digest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PlannerError.sourceMissing(path: path)
        }
        if !isDirectory.boolValue { return try fileDigest(path) }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { throw PlannerError.sourceMissing(path: path) }
        var names = FolderFiles()
        while let relative = enumerator.nextObject() as? String {
            var dir: ObjCBool = false
            let full = (path as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue, !relative.hasPrefix(".") { names.appendName(relative) }
        }
        lock.lock()
        let known = folders[path]
        lock.unlock()
        var files = FolderFiles()
        var hasher = SHA256Hasher()
        hasher.update("assay-folder\n")
        var k = 0  // the next of `known`'s files (both lists sorted alike)
        for i in names.sortedIndices() {
            let relative = names.name(i)
            let full = (path as NSString).appendingPathComponent(relative)
            let (size, modified) = try Self.statData(full)
            while let known, k < known.count, FolderFiles.precedes(known.name(k), relative) { k += 1 }
            let digest: Digest
            if let known, k < known.count, known.name(k) == relative, known.sizes[k] == size, known.modified[k] == modified {
                digest = known.digest(k)
            } else {
                digest = try fileDigest(full, size: size, modified: modified, remember: false)
            }
            files.append(relative, size: size, modified: modified, digest: digest)
            hasher.update(relative)
            hasher.update("\0")
            hasher.update(digest.bytes)
        }
        lock.lock()
        folders[path] = files
        lock.unlock()
        return hasher.finalize()
    }

    /// Writes remembered digests back to the cache file (atomically; failures only cost speed).
    public func save() {
        lock.lock()
        defer { lock.unlock() }
        guard dirty, let url = cacheURL else { return }
        // One entry per file, as the cache file has always held (folders' files by their full path).
        var all = entries
        for (folder, files) in folders {
            for k in 0..<files.count {
                all[(folder as NSString).appendingPathComponent(files.name(k))] = Entry(size: files.sizes[k], modified: files.modified[k], digest: files.digest(k))
            }
        }
        guard let data = try? JSONEncoder().encode(all) else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url, options: .atomic)
        dirty = false
    }

    /// A file's size and modification time (ns).
    private static func statData(_ path: String) throws -> (size: Int64, modified: Int64) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw PlannerError.sourceMissing(path: path) }
        return (Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    private func fileDigest(_ path: String) throws -> Digest {
        let (size, modified) = try Self.statData(path)
        return try fileDigest(path, size: size, modified: modified, remember: true)
    }

    /// The digest of the file at `path` of this stat data: remembered if the cache file has it, else
    /// hashed (and kept in `entries` when `remember`; a folder keeps its files' itself).
    private func fileDigest(_ path: String, size: Int64, modified: Int64, remember: Bool) throws -> Digest {
        lock.lock()
        let known = entries[path]
        lock.unlock()
        if let known, known.size == size, known.modified == modified { return known.digest }
        let digest: Digest
        do { digest = try Digest.ofFile(at: URL(fileURLWithPath: path)) } catch {
            throw PlannerError.sourceUnreadable(path: path, reason: SystemErrorText.reason(error))
        }
        lock.lock()
        if remember { entries[path] = Entry(size: size, modified: modified, digest: digest) }
        dirty = true
        lock.unlock()
        return digest
    }
}

/// The files of one folder with their stat data and digests, in a few flat arrays: a data set folder
/// holds tens of thousands of files, and an object and a string per file would cost several times more.
private struct FolderFiles {
    /// Relative paths, concatenated; file k's is `bytes[ends[k - 1] ..< ends[k]]`.
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    private(set) var sizes: [Int64] = []
    private(set) var modified: [Int64] = []
    /// 32 bytes per file.
    private var digests: [UInt8] = []

    var count: Int { ends.count }

    mutating func appendName(_ name: String) {
        bytes += name.utf8
        ends.append(bytes.count)
    }

    mutating func append(_ name: String, size: Int64, modified: Int64, digest: Digest) {
        appendName(name)
        sizes.append(size)
        self.modified.append(modified)
        digests += digest.bytes
    }

    func name(_ k: Int) -> String { String(decoding: nameBytes(k), as: UTF8.self) }

    func digest(_ k: Int) -> Digest { Digest(bytes: Array(digests[32 * k ..< 32 * (k + 1)])) }

    private func nameBytes(_ k: Int) -> ArraySlice<UInt8> { bytes[(k == 0 ? 0 : ends[k - 1]) ..< ends[k]] }

    /// The files' indices in byte order of their paths (the order a folder's digest lists them).
    func sortedIndices() -> [Int] {
        (0..<count).sorted { nameBytes($0).lexicographicallyPrecedes(nameBytes($1)) }
    }

    static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}
