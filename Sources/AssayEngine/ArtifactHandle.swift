import AssaySupport
import Foundation

/// A read-only artifact in the store, handed to an operator as one of its inputs.
/// Its digest was verified against its bytes before the operator was called.
public struct ArtifactHandle: Hashable, Sendable {
    public let digest: Digest
    /// The object file; never write to it.
    public let url: URL
    public let size: Int64

    public init(digest: Digest, url: URL, size: Int64) {
        self.digest = digest
        self.url = url
        self.size = size
    }

    public func read() throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw EngineError.io(path: url.path, message: SystemErrorText.reason(error))
        }
    }
}
