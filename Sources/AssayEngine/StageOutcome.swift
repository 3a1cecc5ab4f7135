import AssaySupport

/// How one stage execution ended.
public enum StageOutcome: Sendable, Equatable {
    /// The operator ran and its outputs were published under this record.
    case executed(ActionRecord)
    /// Another run computed the key while this one waited for its lock.
    case foundCached(ActionRecord)
    /// The remote cache had the key: its objects were downloaded, verified and installed here.
    case fetchedRemote(ActionRecord)
    case failed(String)
    case cancelled
    /// An input object was missing or did not hash to its digest (it was removed).
    case corruptInput(slot: String, digest: Digest)
}
