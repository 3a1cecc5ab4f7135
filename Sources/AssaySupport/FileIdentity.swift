import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat` says about a file, taken to mean "the same bytes as before" when nothing of it
/// changed: device and inode (an editor's save-by-rename gives a new inode), size, and the
/// modification and status-change times in nanoseconds (`touch -d` restores an mtime but not
/// the ctime). Git's index and Bazel trust the same fields.
///
/// A file modified within the file system's timestamp granularity of when it was looked at can
/// change again without changing these: ``isRacy(lookedAtBefore:)`` names that case, and a
/// cache must then compare contents (or recompute) instead of trusting the identity.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var changedNanoseconds: Int64
    public var isDirectory: Bool

    public init(device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64, changedNanoseconds: Int64, isDirectory: Bool) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedNanoseconds = changedNanoseconds
        self.isDirectory = isDirectory
    }

    /// The identity of the file at `path` (symbolic links followed), nil when there is none.
    public static func of(path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Glibc)
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        let changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        #else
        let modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        let changed = Int64(info.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(info.st_ctimespec.tv_nsec)
        #endif
        return FileIdentity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedNanoseconds: modified, changedNanoseconds: changed, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR)
    }

    /// Two seconds: coarser than any file system's timestamps Assay meets (ext4 and XFS stamp
    /// with the kernel's coarse clock, a few milliseconds; some network file systems, a second).
    public static let timestampGranularityNanoseconds: Int64 = 2_000_000_000

    /// True when the file was modified so close to `time` (the wall clock before it was looked
    /// at, in nanoseconds since 1970) that a later change could leave this identity unchanged.
    public func isRacy(lookedAtBefore time: Int64) -> Bool {
        max(modifiedNanoseconds, changedNanoseconds) >= time - FileIdentity.timestampGranularityNanoseconds
    }

    /// The wall clock in nanoseconds since 1970, as file timestamps count.
    public static func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
}
