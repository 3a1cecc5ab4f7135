/// The bytes of a data set's images or masks: an array of their own, or a read-only window on a
/// memory-mapped artifact file (`DatasetArtifact.read`).
///
/// A mapped window costs no memory until read, and `release(_:)` gives pages back once a batch
/// has been converted, so a stage walking a data set larger than memory holds a few batches of
/// it, not all of it. Both kinds read alike; writing to a mapped window first copies it into an
/// array (value semantics, as for `[UInt8]`).
public struct DatasetBytes: RandomAccessCollection, MutableCollection, RangeReplaceableCollection, Hashable, ExpressibleByArrayLiteral, Sendable {
    /// The bytes when not mapped.
    private var owned: [UInt8]
    /// The mapping and the window's byte offset in it.
    private var mapped: (file: MappedFile, offset: Int, count: Int)?

    public init() { owned = [] }
    public init(_ bytes: [UInt8]) { owned = bytes }
    public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 { owned = Array(bytes) }
    public init(arrayLiteral bytes: UInt8...) { owned = bytes }

    /// `count` bytes of `file` from byte `offset` (which must lie inside the file).
    init(mapping file: MappedFile, offset: Int, count: Int) {
        precondition(offset >= 0 && offset + count <= file.count, "mapped window outside the file")
        owned = []
        mapped = (file, offset, count)
    }

    /// Whether the bytes are read from a mapped file.
    public var isMapped: Bool { mapped != nil }

    public var startIndex: Int { 0 }
    public var endIndex: Int { mapped?.count ?? owned.count }
    public var count: Int { endIndex }
    public func index(after i: Int) -> Int { i + 1 }
    public func index(before i: Int) -> Int { i - 1 }

    public subscript(position: Int) -> UInt8 {
        get {
            guard let mapped else { return owned[position] }
            precondition(position >= 0 && position < mapped.count, "index \(position) out of range 0..<\(mapped.count)")
            return mapped.file.bytes[mapped.offset + position]
        }
        set {
            makeOwned()
            owned[position] = newValue
        }
    }

    public mutating func replaceSubrange<C: Collection>(_ subrange: Range<Int>, with newElements: C) where C.Element == UInt8 {
        makeOwned()
        owned.replaceSubrange(subrange, with: newElements)
    }

    public mutating func reserveCapacity(_ n: Int) {
        makeOwned()
        owned.reserveCapacity(n)
    }

    /// The bytes as an array (a copy when mapped).
    public var array: [UInt8] { mapped == nil ? owned : withUnsafeBufferPointer { Array($0) } }

    /// Bytes `range` as an array slice (the array's own slice when not mapped, else a copy).
    public func slice(_ range: Range<Int>) -> ArraySlice<UInt8> {
        guard mapped != nil else { return owned[range] }
        return withUnsafeBufferPointer { ArraySlice($0[range]) }
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard let mapped else { return try owned.withUnsafeBufferPointer(body) }
        let raw = UnsafeRawBufferPointer(rebasing: mapped.file.bytes[mapped.offset ..< mapped.offset + mapped.count])
        return try body(raw.bindMemory(to: UInt8.self))
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try body(UnsafeRawBufferPointer($0)) }
    }

    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<UInt8>) throws -> R) rethrows -> R {
        makeOwned()
        return try owned.withUnsafeMutableBufferPointer(body)
    }

    /// Hands the memory of bytes `range` back once they have been read (mapped bytes only: the
    /// pages are read again from the file if needed; an array keeps its bytes).
    public func release(_ range: Range<Int>) {
        guard let mapped else { return }
        mapped.file.release(mapped.offset + range.lowerBound ..< mapped.offset + range.upperBound)
    }

    private mutating func makeOwned() {
        guard mapped != nil else { return }
        owned = array
        mapped = nil
    }

    public static func == (a: DatasetBytes, b: DatasetBytes) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
