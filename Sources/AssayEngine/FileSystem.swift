import AssaySupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations the store needs, on plain paths (the hot path of a no-op
/// rerun avoids URL and Data: it reads thousands of small records and stats their objects).
enum FileSystem {
    /// Kinds of file-system operation, for ``FileOperationCounter``.
    enum Operation: String, CaseIterable, Sendable {
        case stat, exists, read, write, fsync, rename, makeDirectory, remove, list, hash, lock
    }

    /// Counts every operation while set (tests: the no-op path's operations per stage). Nil
    /// otherwise, which costs a load and a branch per call.
    nonisolated(unsafe) static var counter: FileOperationCounter?

    struct FileStat: Equatable {
        var size: Int64
        var modifiedNanoseconds: Int64
    }

    /// - Parameter directory: a directory descriptor `path` is relative to (shorter path walks).
    static func fileStat(_ path: String, relativeTo directory: Int32 = AT_FDCWD) -> FileStat? {
        counter?.count(.stat)
        var info = Glibc.stat()
        guard fstatat(directory, path, &info, 0) == 0 else { return nil }
        return FileStat(
            size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    static func exists(_ path: String) -> Bool {
        counter?.count(.exists)
        return access(path, F_OK) == 0
    }

    /// A descriptor for a directory, used as the base of relative lookups; -1 on failure.
    static func openDirectory(_ path: String) -> Int32 { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }

    /// The identity (device, inode, size, times) of the file at `path`, nil when there is none.
    static func identity(_ path: String, relativeTo directory: Int32 = AT_FDCWD) -> FileIdentity? {
        counter?.count(.stat)
        var info = Glibc.stat()
        guard fstatat(directory, path, &info, 0) == 0 else { return nil }
        return identity(of: info)
    }

    private static func identity(of info: Glibc.stat) -> FileIdentity {
        FileIdentity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changedNanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec),
            isDirectory: (info.st_mode & S_IFMT) == S_IFDIR)
    }

    /// Reads a whole file; nil when it does not exist. Starts with a 4 KiB read (an action
    /// record fits) and grows only when needed, so the common case is open, read, close.
    static func readFile(_ path: String, relativeTo directory: Int32 = AT_FDCWD) throws -> [UInt8]? {
        try readFile(path, relativeTo: directory, identity: nil)
    }

    /// Reads a whole file and the identity of the file read (`fstat` of the same descriptor, so
    /// the two describe the same file even if it is replaced meanwhile).
    static func readFileAndIdentity(_ path: String, relativeTo directory: Int32 = AT_FDCWD) throws -> (bytes: [UInt8], identity: FileIdentity)? {
        var identity: FileIdentity?
        guard let bytes = try readFile(path, relativeTo: directory, identity: &identity), let identity else { return nil }
        return (bytes, identity)
    }

    private static func readFile(_ path: String, relativeTo directory: Int32, identity: UnsafeMutablePointer<FileIdentity?>?) throws -> [UInt8]? {
        counter?.count(.read)
        let fd = openat(directory, path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw EngineError.io(path: path, message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var capacity = 4096
        if let identity {
            var info = Glibc.stat()
            guard fstat(fd, &info) == 0 else { throw EngineError.io(path: path, message: String(cString: strerror(errno))) }
            identity.pointee = self.identity(of: info)
            // The size is known: one buffer, one byte to spare so the first read ends it (a snapshot
            // of 10,001 records is 9 MB: doubling from 4 KiB touched three times that).
            capacity = max(capacity, Int(clamping: info.st_size) + 1)
        }
        var bytes = [UInt8](repeating: 0, count: capacity)
        var done = 0
        while true {
            if done == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw EngineError.io(path: path, message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            done += n
            // A regular file's read returns less than asked only at its end: skip the read of 0.
            if done < bytes.count { break }
        }
        bytes.removeLast(bytes.count - done)
        return bytes
    }

    /// Writes `bytes` to a fresh temporary file in `temporaryDirectory`, fsyncs it and renames it
    /// over `path`: readers see the old file or the whole new one, never a part.
    static func writeAtomically(_ bytes: [UInt8], to path: String, temporaryDirectory: String, mode: mode_t = 0o644, sync: Bool = true) throws {
        counter?.count(.write)
        let temporary = temporaryDirectory + "/" + uniqueName(prefix: "write")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw EngineError.io(path: temporary, message: String(cString: strerror(errno))) }
        var ok = true
        var done = 0
        while done < bytes.count && ok {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { ok = false } else { done += n }
        }
        if ok && sync {
            counter?.count(.fsync)
            if fsync(fd) != 0 { ok = false }
        }
        let code = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            throw EngineError.io(path: path, message: "cannot write: " + SystemErrorText.reason(errno: code, path: temporaryDirectory, bytesNeeded: bytes.count))
        }
        try rename(temporary, to: path)
    }

    static func rename(_ from: String, to: String) throws {
        counter?.count(.rename)
        if Glibc.rename(from, to) != 0 {
            if errno == ENOENT {
                // The shard directory may not exist yet.
                try makeDirectory((to as NSString).deletingLastPathComponent)
                if Glibc.rename(from, to) == 0 { return }
            }
            throw EngineError.io(path: to, message: "cannot rename \(from): \(String(cString: strerror(errno)))")
        }
    }

    /// SHA-256 of a file, read with plain read(2) into one reused 4 MiB buffer (no Data
    /// allocation per chunk: this path must keep up with libcrypto's ~2 GB/s).
    static func digest(ofFile path: String) throws -> Digest {
        counter?.count(.hash)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EngineError.io(path: path, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        let size = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256Hasher()
        while true {
            let n = Glibc.read(fd, buffer, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw EngineError.io(path: path, message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            hasher.update(bytes: UnsafeRawBufferPointer(start: buffer, count: n))
        }
        return hasher.finalize()
    }

    static func fsyncFile(_ path: String) throws {
        counter?.count(.fsync)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EngineError.io(path: path, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw EngineError.io(path: path, message: "fsync: \(String(cString: strerror(errno)))") }
    }

    static func makeDirectory(_ path: String) throws {
        counter?.count(.makeDirectory)
        // Usually the directory exists (every command opens the store): one mkdir(2) says so.
        if mkdir(path, 0o755) == 0 || errno == EEXIST, isDirectory(path) { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw EngineError.io(path: path, message: "cannot create directory: \(SystemErrorText.reason(error, path: path))")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = Glibc.stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func remove(_ path: String) {
        counter?.count(.remove)
        try? FileManager.default.removeItem(atPath: path)
    }

    static func contents(of directory: String) -> [String] {
        counter?.count(.list)
        return (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    nonisolated(unsafe) private static var uniqueCounter = 0
    private static let counterLock = NSLock()

    /// A name no other thread or process will pick: the owning process (pid, start time, host:
    /// see `ProcessOwner`, which lets a later run clean up after a dead one), a per-process
    /// counter and random bits.
    static func uniqueName(prefix: String) -> String {
        counterLock.lock()
        uniqueCounter += 1
        let n = uniqueCounter
        counterLock.unlock()
        return "\(prefix).\(ProcessOwner.current.token).\(n).\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// Counts file-system operations by kind (thread-safe): install as ``FileSystem/counter``.
final class FileOperationCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [FileSystem.Operation: Int] = [:]

    func count(_ operation: FileSystem.Operation) {
        lock.lock()
        counts[operation, default: 0] += 1
        lock.unlock()
    }

    var snapshot: [FileSystem.Operation: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }
}
