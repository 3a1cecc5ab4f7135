import Foundation

/// `plans/`: checked, lowered experiments kept by the planner's `PlanCache` so that a command
/// on an unchanged experiment skips parsing, checking and lowering. The store only keeps the
/// bytes; what they mean, and when they may be used, is the planner's business. Files are
/// written atomically without fsync: a cache entry lost or damaged in a crash fails its own
/// content check and is recomputed, never an error.
extension Store {
    var plansPath: String { rootPath + "/plans" }

    /// The cached plan filed under `name`, nil when there is none or it cannot be read.
    public func cachedPlan(named name: String) -> [UInt8]? {
        // Read with its size known: an entry of a 10,001-stage plan is a few megabytes.
        ((try? FileSystem.readFileAndIdentity(plansPath + "/" + name)) ?? nil)?.bytes
    }

    /// Files `bytes` under `name`, replacing what was there.
    public func storeCachedPlan(_ bytes: [UInt8], named name: String) throws {
        try FileSystem.makeDirectory(plansPath)
        try FileSystem.writeAtomically(bytes, to: plansPath + "/" + name, temporaryDirectory: temporaryPath, sync: false)
    }

    /// Removes every cached plan (gc does; deleting `plans/` by hand is as safe): they are rebuilt on demand.
    public func removeCachedPlans() {
        FileSystem.remove(plansPath)
    }
}
