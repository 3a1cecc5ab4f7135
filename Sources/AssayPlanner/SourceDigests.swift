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
    private struct Entry: Codable { var size: Int64; var modified: Int64; var digest: String }

    private let cacheURL: URL?
    private var entries: [String: Entry] = [:]
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
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var dir: ObjCBool = false
            let full = (path as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue, !relative.hasPrefix(".") { files.append(relative) }
        }
        files.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var hasher = SHA256Hasher()
        hasher.update("assay-folder\n")
        for relative in files {
            hasher.update(relative)
            hasher.update("\0")
            hasher.update(try fileDigest((path as NSString).appendingPathComponent(relative)).bytes)
        }
        return hasher.finalize()
    }

    /// Writes remembered digests back to the cache file (atomically; failures only cost speed).
    public func save() {
        lock.lock()
        defer { lock.unlock() }
        guard dirty, let url = cacheURL, let data = try? JSONEncoder().encode(entries) else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url, options: .atomic)
        dirty = false
    }

    private func fileDigest(_ path: String) throws -> Digest {
        var info = stat()
        guard stat(path, &info) == 0 else { throw PlannerError.sourceMissing(path: path) }
        let size = Int64(info.st_size)
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        lock.lock()
        let known = entries[path]
        lock.unlock()
        if let known, known.size == size, known.modified == modified, let d = Digest(hex: known.digest) { return d }
        let digest: Digest
        do { digest = try Digest.ofFile(at: URL(fileURLWithPath: path)) } catch {
            throw PlannerError.sourceUnreadable(path: path, reason: SystemErrorText.reason(error))
        }
        lock.lock()
        entries[path] = Entry(size: size, modified: modified, digest: digest.hex)
        dirty = true
        lock.unlock()
        return digest
    }
}
