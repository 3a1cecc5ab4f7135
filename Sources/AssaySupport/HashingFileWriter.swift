import Foundation
import Glibc

/// Writes a new file front to back and hashes every byte on its way (SHA-256), so whoever stores
/// the file can name it by content without reading it again.
///
/// Writes bypass the page cache (`O_DIRECT`) where the file system allows it: the bytes go from
/// an aligned staging buffer straight to the disk. A data set of 1.5 GB written through the page
/// cache cost 6–10 s of system time on the project's VMs (each fresh page-cache page is a host
/// fault) against 0.3 s direct, and it pushed other programs' pages out. Where the file system
/// refuses `O_DIRECT` (some FUSE and older tmpfs), plain writes do the same job.
public final class HashingFileWriter {
    /// A failed system call: its errno and what it was doing.
    public struct Failure: Error, CustomStringConvertible {
        public var code: Int32
        public var operation: String
        public var description: String { "\(operation): \(String(cString: strerror(code)))" }
    }

    public let path: String
    /// Whether writes currently bypass the page cache.
    public private(set) var isDirect: Bool
    /// Bytes handed to `write` so far.
    public private(set) var count = 0

    private var fd: Int32
    private let staging: UnsafeMutableRawPointer
    private let capacity: Int
    private var staged = 0
    private var hasher = SHA256Hasher()

    /// Direct I/O wants buffer addresses, file offsets and lengths aligned to the device's logical block
    /// (512 B or 4 KiB); 4 KiB suits both.
    static let alignment = 4096

    /// Creates (or truncates) the file at `path`; `direct: false` always writes through the page cache.
    public init(creating path: String, direct: Bool = true, stagingBytes: Int = 8 << 20) throws {
        self.path = path
        capacity = max(Self.alignment, stagingBytes / Self.alignment * Self.alignment)
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        var descriptor: Int32 = -1
        var usesDirect = false
        if direct, let directFlag = Self.directFlag {
            descriptor = open(path, flags | directFlag, 0o644)
            usesDirect = descriptor >= 0
        }
        if descriptor < 0 { descriptor = open(path, flags, 0o644) }
        guard descriptor >= 0 else { throw Failure(code: errno, operation: "open") }
        fd = descriptor
        isDirect = usesDirect
        staging = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: Self.alignment)
    }

    deinit {
        staging.deallocate()
        if fd >= 0 { close(fd) }
    }

    /// `O_DIRECT` (its value differs between architectures; nil where there is none).
    private static var directFlag: Int32? {
        #if os(Linux) && arch(x86_64)
        return 0o40000
        #elseif os(Linux) && (arch(arm64) || arch(arm))
        return 0o200000
        #else
        return nil
        #endif
    }

    /// Appends `bytes` to the file (and to the digest).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        hasher.update(bytes: bytes)
        count += bytes.count
        var offset = 0
        while offset < bytes.count {
            let k = min(capacity - staged, bytes.count - offset)
            (staging + staged).copyMemory(from: base + offset, byteCount: k)
            staged += k
            offset += k
            if staged == capacity { try flush(staged) }
        }
    }

    /// Writes what is staged and closes the file; returns the digest of everything written. The file
    /// holds exactly the bytes given to `write`, not yet fsynced (the store does that when it publishes).
    public func finish() throws -> Digest {
        if staged > 0 {
            // The tail is shorter than a block: direct I/O cannot write it, so it goes through the page cache.
            try leaveDirectMode()
            try flush(staged)
        }
        let descriptor = fd
        fd = -1
        guard close(descriptor) == 0 else { throw Failure(code: errno, operation: "close") }
        return hasher.finalize()
    }

    /// Writes the first `length` staged bytes at the end of the file.
    private func flush(_ length: Int) throws {
        var done = 0
        while done < length {
            let n = Glibc.write(fd, staging + done, length - done)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                // A file system that opened with O_DIRECT but refuses this write (alignment): write plainly.
                if code == EINVAL && isDirect {
                    try leaveDirectMode()
                    continue
                }
                throw Failure(code: code, operation: "write")
            }
            if n == 0 { throw Failure(code: EIO, operation: "write") }
            done += n
        }
        staged = 0
    }

    private func leaveDirectMode() throws {
        guard isDirect, let directFlag = Self.directFlag else { return }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~directFlag) == 0 else { throw Failure(code: errno, operation: "fcntl") }
        isDirect = false
    }
}
