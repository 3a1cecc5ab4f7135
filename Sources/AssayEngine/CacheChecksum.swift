import CZlib

/// The CRC-32 (zlib's) that the store's caches — plan cache entries, record snapshots — end
/// with. It must notice a damaged, truncated or half-written file; nobody forges a cache
/// entry (each is checked against what it stands for before use anyway), and a SHA-256 of every
/// byte cost a no-op more than the reads these caches replace.
public enum CacheChecksum {
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return UInt32(truncatingIfNeeded: crc32_z(0, base.assumingMemoryBound(to: UInt8.self), bytes.count))
    }

    public static func of(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { of($0) } }

    public static func of(_ bytes: ArraySlice<UInt8>) -> UInt32 { bytes.withUnsafeBytes { of($0) } }
}
