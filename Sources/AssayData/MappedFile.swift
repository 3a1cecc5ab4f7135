import AssaySupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory, unmapped when the last reference goes.
///
/// Stored artifacts never change after they are published, so a mapping stays valid for as
/// long as a data set refers to it (even if the store deletes the file meanwhile).
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer?
    let count: Int

    /// Maps `path`; a missing or unreadable file throws `DataError` with the system's reason.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw DataError.missingFile(path: path, role: "data set artifact") }
            throw DataError.unreadableFile(path: path, reason: SystemErrorText.reason(errno: code, path: path))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw DataError.unreadableFile(path: path, reason: SystemErrorText.reason(errno: errno, path: path))
        }
        count = Int(status.st_size)
        guard count > 0 else { base = nil; return }
        guard let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw DataError.unreadableFile(path: path, reason: SystemErrorText.reason(errno: errno, path: path))
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// The file's bytes, valid while `self` lives.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Gives the pages around `range` (byte offsets) back to the kernel: they leave this process's
    /// resident memory and are read again from the page cache if touched. Contents never change
    /// (the mapping is read-only), so this is invisible except in memory use.
    ///
    /// The range widens to the 2 MiB blocks it touches: a page fault maps the whole page-cache folio
    /// around it (Linux 6.x maps large folios entire, up to 2 MiB, the PMD size), so releasing less
    /// leaves the rest of the folio resident, and a pass over a file ends with most of it mapped.
    /// Folios are aligned in the file and the fault-around window in the address space; the range
    /// covers both alignments.
    func release(_ range: Range<Int>) {
        guard let base, !range.isEmpty else { return }
        let window = UInt(Self.releaseWindow)
        let first = UInt(bitPattern: base), last = first + UInt(count)
        let low = first + UInt(range.lowerBound), high = first + UInt(range.upperBound)
        // Aligned in the address space, and in the file (offsets from `first`).
        let start = Swift.max(first, Swift.min(low / window * window, first + UInt(range.lowerBound) / window * window))
        let end = Swift.min(last, Swift.max((high + window - 1) / window * window, first + (UInt(range.upperBound) + window - 1) / window * window))
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, Int(end - start), Int32(MADV_DONTNEED))
    }

    /// The largest block of file pages one fault maps (a PMD-sized folio).
    static let releaseWindow = 1 << 21
}
