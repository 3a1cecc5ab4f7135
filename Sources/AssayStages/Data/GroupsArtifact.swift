import AssayData
import AssaySupport
import Foundation

/// The `groups` artifact of `group-split` (format `assay.groups/1`, documented in
/// `GroupRobustness/ArtifactFormats.md`): every split's group ids under one scheme, the
/// group counts and the seeded balanced subsample. Sorted-key JSON, so equal groups give equal bytes.
public struct GroupsArtifact: Codable, Equatable, Sendable {
    public struct Split: Codable, Equatable, Sendable {
        /// Digest of the split's data-set artifact the ids were computed from; consumers check it
        /// against the data they were given so groups never silently refer to other examples.
        public var dataset: String
        public var ids: [Int32]
        /// Examples per group id.
        public var counts: [Int]
        /// Every group subsampled to the smallest (when `balance` is `subsample`), ascending.
        public var balanced: [Int]?
    }

    public var format = "assay.groups/1"
    public var scheme: GroupScheme
    public var groupNames: [String]
    public var balance: String
    public var splits: [String: Split]

    public func split(_ name: String, stage: String) throws -> Split {
        guard let split = splits[name] else {
            throw StageError(stage: stage, path: "groups", "the group split has no split `\(name)` (it has \(splits.keys.sorted().joined(separator: ", ")))",
                             help: "group the data set the stage reads")
        }
        return split
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    public static func read(from url: URL, stage: String) throws -> GroupsArtifact {
        do { return try JSONDecoder().decode(GroupsArtifact.self, from: Data(contentsOf: url)) } catch {
            throw StageError(stage: stage, path: "groups", "cannot read the groups artifact \(url.path): \(SystemErrorText.message(for: error))")
        }
    }
}
