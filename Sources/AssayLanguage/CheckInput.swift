import AssaySupport

/// One thing the checker learned from the file system, recorded so that a cache of its result
/// (the planner's `PlanCache`) can tell whether the result still holds: a check is a function of
/// the experiment text, the overrides, the machine's memory, the home folder and these.
///
/// Identities are taken *before* the read, so a file changed while it was read looks changed.
public enum CheckInput: Hashable, Sendable {
    /// A file read whole (the experiment, an include): its identity before the read and the
    /// digest of the bytes read.
    case text(path: String, identity: FileIdentity?, digest: Digest)
    /// A path whose existence, and whether it is a folder, the checker tested.
    case presence(path: String, exists: Bool, isDirectory: Bool)
    /// A file the checker read part of (a metadata CSV's header, a safetensors header, CelebA's
    /// lists): its identity before the read, nil when it did not exist.
    case contents(path: String, identity: FileIdentity?)
}

/// The inputs of one check and the wall clock before the first was looked at (file times at or
/// after it, less the timestamp granularity, are racy: see ``FileIdentity/isRacy(lookedAtBefore:)``).
public struct CheckInputs: Sendable {
    public var started: Int64
    public private(set) var items: [CheckInput] = []
    private var seen: Set<CheckInput> = []

    public init(started: Int64 = FileIdentity.now()) { self.started = started }

    public mutating func append(_ input: CheckInput) {
        if seen.insert(input).inserted { items.append(input) }
    }

    public mutating func append(contentsOf other: CheckInputs) {
        started = min(started, other.started)
        for input in other.items { append(input) }
    }

    /// Tests whether `path` exists and is a folder, recording the answer.
    mutating func probe(_ path: String) -> (exists: Bool, isDirectory: Bool) {
        let identity = FileIdentity.of(path: path)
        append(.presence(path: path, exists: identity != nil, isDirectory: identity?.isDirectory ?? false))
        return (identity != nil, identity?.isDirectory ?? false)
    }

    /// Records the identity of a file about to be read in part.
    mutating func willRead(_ path: String) {
        append(.contents(path: path, identity: FileIdentity.of(path: path)))
    }
}
