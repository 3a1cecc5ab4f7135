import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An advisory `flock(2)` lock on a file.
///
/// The kernel holds the lock on the open file description, so it disappears when the holder
/// closes the file or dies — even by SIGKILL: a crashed run never leaves a lock behind that
/// someone must delete. The lock files themselves stay; they carry no state.
public final class FileLock {
    public let path: String
    private var fd: Int32

    /// Opens (creating if needed) the lock file; does not lock yet.
    public init(path: String) throws {
        FileSystem.counter?.count(.lock)
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            try FileSystem.makeDirectory((path as NSString).deletingLastPathComponent)
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw EngineError.io(path: path, message: "cannot open lock file: \(String(cString: strerror(errno)))") }
    }

    /// Opens an existing lock file without creating it; nil when there is none.
    public init?(existing path: String) {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Takes the lock if nobody holds it; false when someone does.
    public func tryLock(exclusive: Bool = true) -> Bool {
        while true {
            if flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { return true }
            if errno != EINTR { return false }
        }
    }

    /// Waits for the lock, polling so that the wait can be abandoned.
    /// - Parameters:
    ///   - onWait: called once, the first time the lock is found held.
    ///   - shouldStop: checked between polls; returning true abandons the wait.
    /// - Returns: true when the lock is held, false when abandoned.
    public func lock(exclusive: Bool = true, onWait: () -> Void = {}, shouldStop: () -> Bool = { false }) -> Bool {
        if tryLock(exclusive: exclusive) { return true }
        onWait()
        var pause: useconds_t = 2_000
        while !shouldStop() {
            usleep(pause)
            if tryLock(exclusive: exclusive) { return true }
            pause = min(pause * 2, 100_000)
        }
        return false
    }

    public func unlock() {
        flock(fd, LOCK_UN)
    }
}
