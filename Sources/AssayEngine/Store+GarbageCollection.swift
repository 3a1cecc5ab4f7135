import AssaySupport
import Foundation

/// What `gc` removed and kept.
public struct GarbageReport: Sendable, Equatable {
    public var objectsRemoved: Int
    public var bytesFreed: Int64
    public var recordsRemoved: Int
    public var objectsKept: Int
    public var bytesKept: Int64
    /// Leftover work directories and temporary files of interrupted runs.
    public var temporaryEntriesRemoved: Int
    public var checkpointsRemoved: Int
}

extension Store {
    /// Removes every object and action record that neither the last `keepingRuns` runs nor a
    /// pin refer to, plus leftovers of interrupted runs.
    ///
    /// Holds the store lock exclusively, so it waits for running `assay run`s to finish (they
    /// hold it shared) and no run starts while it deletes.
    public func collectGarbage(keepingRuns: Int, history: History, removeCheckpoints: Bool = false) throws -> GarbageReport {
        let lock = try storeLock()
        _ = lock.lock(exclusive: true)
        defer { lock.unlock() }

        let kept = try history.outputDigests(ofRecentRuns: keepingRuns)
        var liveObjects = kept.digests
        for digests in try pins().values { liveObjects.formUnion(digests) }
        var report = GarbageReport(
            objectsRemoved: 0, bytesFreed: 0, recordsRemoved: 0, objectsKept: 0, bytesKept: 0,
            temporaryEntriesRemoved: 0, checkpointsRemoved: 0)

        for shard in FileSystem.contents(of: actionsPath) {
            for name in FileSystem.contents(of: actionsPath + "/" + shard) {
                guard let key = Digest(hex: name) else { continue }
                if kept.keys.contains(key) { continue }
                let record = try? actionRecord(for: key)
                if let record, !record.outputs.isEmpty, record.outputs.allSatisfy({ liveObjects.contains($0.digest) }) { continue }
                removeActionRecord(for: key)
                report.recordsRemoved += 1
            }
        }
        for shard in FileSystem.contents(of: objectsPath) {
            for name in FileSystem.contents(of: objectsPath + "/" + shard) {
                let path = objectsPath + "/" + shard + "/" + name
                let size = FileSystem.fileStat(path)?.size ?? 0
                if let digest = Digest(hex: name), liveObjects.contains(digest) {
                    report.objectsKept += 1
                    report.bytesKept += size
                } else {
                    quarantine(path)
                    report.objectsRemoved += 1
                    report.bytesFreed += size
                }
            }
        }
        // No run holds the store lock now: nothing in tmp/ is being written and no key or run
        // lock file is open (they are opened only under the store lock).
        for name in FileSystem.contents(of: locksPath) where name != "store.lock" {
            unlink(locksPath + "/" + name)
        }
        for name in FileSystem.contents(of: temporaryPath) {
            FileSystem.remove(temporaryPath + "/" + name)
            report.temporaryEntriesRemoved += 1
        }
        // Cached plans of experiments edited since would otherwise stay forever; any still useful is rebuilt by its next command.
        removeCachedPlans()
        removeRecordSnapshots()
        if removeCheckpoints {
            for name in FileSystem.contents(of: checkpointsPath) {
                FileSystem.remove(checkpointsPath + "/" + name)
                report.checkpointsRemoved += 1
            }
        }
        return report
    }
}
