import AssaySupport
import Foundation

/// `snapshots/`: the action records each plan's last run used, one file per plan
/// (``RecordSnapshot``). Written atomically without fsync: a snapshot lost or damaged in a crash
/// fails its own CRC and is rebuilt by the next run; deleting the folder is always safe.
extension Store {
    var snapshotsPath: String { rootPath + "/snapshots" }

    /// The snapshot filed under `name`; nil when there is none or it is damaged.
    func recordSnapshot(named name: String) -> RecordSnapshot? {
        guard let (bytes, _) = (try? FileSystem.readFileAndIdentity(snapshotsPath + "/" + name)) ?? nil else { return nil }
        return RecordSnapshot(decoding: bytes)
    }

    func storeRecordSnapshot(_ bytes: [UInt8], named name: String) throws {
        try FileSystem.makeDirectory(snapshotsPath)
        try FileSystem.writeAtomically(bytes, to: snapshotsPath + "/" + name, temporaryDirectory: temporaryPath, sync: false)
    }

    /// Removes every snapshot (gc does): the next run of each plan reads its records' files and
    /// writes a new one.
    public func removeRecordSnapshots() {
        FileSystem.remove(snapshotsPath)
    }

    /// The identity of `key`'s record file (one `stat`), nil when there is none.
    func actionRecordIdentity(for key: Digest) -> FileIdentity? {
        FileSystem.identity(Store.shardedName(key), relativeTo: actionsDirectory)
    }

    /// `key`'s record with the bytes it was decoded from and the identity of the file read.
    func actionRecordAndIdentity(for key: Digest) throws -> (record: ActionRecord, bytes: [UInt8], identity: FileIdentity)? {
        let name = Store.shardedName(key)
        guard let (bytes, identity) = try FileSystem.readFileAndIdentity(name, relativeTo: actionsDirectory) else { return nil }
        return (try ActionRecord.decode(bytes, path: actionsPath + "/" + name), bytes, identity)
    }
}
