import AssaySupport

/// A cache server shared by several machines, as the engine sees it: two namespaces of
/// entries named by SHA-256, objects (`cas/`) and action records (`ac/`), with Bazel's HTTP
/// remote-cache semantics. The engine knows nothing about the transport; the HTTP client
/// lives in the `AssayRemote` target.
///
/// Every method throws ``RemoteCacheError`` when the server cannot be reached or answers
/// with an error; "not there" is not an error.
public protocol RemoteCache: AnyObject, Sendable {
    /// Where the cache is, for messages (a URL without credentials).
    var location: String { get }
    /// The entry's bytes, or nil when the server has no such entry.
    func read(_ entry: RemoteEntry) throws -> [UInt8]?
    /// Writes the entry to `path` (replacing it); false when the server has no such entry.
    func download(_ entry: RemoteEntry, to path: String) throws -> Bool
    func exists(_ entry: RemoteEntry) throws -> Bool
    func write(_ entry: RemoteEntry, bytes: [UInt8]) throws
    func upload(_ entry: RemoteEntry, fileAt path: String) throws
}

/// One entry of a remote cache: `cas/<sha256>` or `ac/<sha256>`.
public struct RemoteEntry: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// An artifact, named by the digest of its bytes.
        case object = "cas"
        /// An action record, named by its stage key.
        case action = "ac"
    }

    public var kind: Kind
    public var digest: Digest

    public init(_ kind: Kind, _ digest: Digest) {
        self.kind = kind
        self.digest = digest
    }

    /// The path below the cache's base URL.
    public var path: String { kind.rawValue + "/" + digest.hex }
    public var description: String { path }
}

/// Why the remote cache could not be used (the run goes on locally).
public struct RemoteCacheError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
