import AssaySupport
import Foundation

/// What using the remote cache had to report; none of it fails a run.
public enum RemoteCacheNotice: Sendable, Equatable {
    /// The server could not be reached or failed; the rest of the run uses the local store only.
    /// Sent once per session.
    case unavailable(String)
    /// A downloaded entry did not match its digest or its key; it was discarded.
    case corrupt(String)
    /// The server already holds a different result for a key this machine computed.
    case conflict(String)
}

/// One run's use of a remote cache: looks stages up before they execute, uploads what executed,
/// verifies every download, and turns the server's failures into one notice.
///
/// Downloads are checked before anything enters the store: objects by re-hashing them against
/// their names; action records, which are named by key rather than content, by parsing them,
/// recomputing the key from the recipe they carry and comparing that recipe with the job's.
/// An action record is uploaded only after its objects, and never over a different one: the
/// server's record is read first (and again after writing, to catch a concurrent writer).
public final class RemoteCacheSession: @unchecked Sendable {
    public let cache: any RemoteCache
    /// False: only read from the remote (`--remote-upload=off`).
    public let uploads: Bool
    private let lock = NSLock()
    private var failure: String?
    /// Objects the server returned damaged: uploaded again (a content-addressed entry can be
    /// rewritten safely) once this machine has the right bytes.
    private var damaged: Set<Digest> = []

    public init(cache: any RemoteCache, uploads: Bool = true) {
        self.cache = cache
        self.uploads = uploads
    }

    /// Nil while the remote is usable; else why it was given up.
    public var failureMessage: String? { lock.withLock { failure } }

    // MARK: Downloads

    /// The stage's result from the remote, installed in `store` (objects verified, then a local
    /// action record), or nil when the remote has none, a usable one, or is unavailable.
    public func lookup(_ job: StageJob, in store: Store, report: (RemoteCacheNotice) -> Void) -> ActionRecord? {
        guard failureMessage == nil else { return nil }
        let entry = RemoteEntry(.action, job.key)
        let bytes: [UInt8]
        do {
            guard let found = try cache.read(entry) else { return nil }
            bytes = found
        } catch {
            giveUp(error, report: report)
            return nil
        }
        let remote: ActionRecord
        do {
            remote = try ActionRecord.decode(bytes, path: cache.location + "/" + entry.path)
            try Self.check(remote, against: job)
        } catch {
            report(.corrupt("the remote action record \(entry.path) for `\(job.node.id)` was discarded: \(Self.message(for: error))"))
            return nil
        }
        var outputs: [ActionRecord.Output] = []
        for output in remote.outputs {
            guard fetchObject(output.digest, size: output.size, into: store, for: job.node.id, report: report),
                let info = FileSystem.fileStat(store.objectPath(output.digest))
            else { return nil }
            outputs.append(.init(name: output.name, digest: output.digest, size: info.size, modifiedNanoseconds: info.modifiedNanoseconds))
        }
        let record = ActionRecord(
            key: job.key, stage: job.node.id, operatorName: remote.operatorName, operatorVersion: remote.operatorVersion,
            parameters: remote.parameters, inputs: remote.inputs, outputs: outputs, metrics: remote.metrics,
            tables: remote.tables, duration: 0, createdAt: Date().timeIntervalSince1970)
        do { try store.write(record) } catch { return nil }
        return record
    }

    /// Makes sure `store` has the object, downloading and verifying it when it does not.
    /// False when the remote lacks it, returned damaged bytes, or is unavailable.
    public func fetchObject(
        _ digest: Digest, size: Int64? = nil, into store: Store, for stage: String, report: (RemoteCacheNotice) -> Void
    ) -> Bool {
        if store.hasObject(digest) { return true }
        guard failureMessage == nil else { return false }
        let entry = RemoteEntry(.object, digest)
        let path = store.temporaryPath + "/" + FileSystem.uniqueName(prefix: "remote-" + digest.hex)
        defer { FileSystem.remove(path) }
        do {
            guard try cache.download(entry, to: path) else { return false }
        } catch {
            giveUp(error, report: report)
            return false
        }
        let actualSize = FileSystem.fileStat(path)?.size
        let installed = (size == nil || actualSize == size) && ((try? store.install(fileAt: path, as: digest)) ?? false)
        if !installed {
            lock.withLock { _ = damaged.insert(digest) }
            report(.corrupt("the remote object \(entry.path) (an output of `\(stage)`) did not match its digest; discarded, the stage is computed here"))
        }
        return installed
    }

    /// The checks a downloaded record must pass before anything it names is used: its recipe
    /// hashes to its key, and it is the recipe of this job.
    static func check(_ record: ActionRecord, against job: StageJob) throws {
        func fail(_ why: String) -> RemoteCacheError { RemoteCacheError(why) }
        let recomputed = StageKey.compute(
            operatorName: record.operatorName, operatorVersion: record.operatorVersion, parameters: record.parameters,
            inputs: record.inputs)
        guard record.key == job.key, recomputed == job.key else { throw fail("its recipe does not hash to key \(job.key.short)") }
        guard record.operatorName == job.node.operatorName, record.operatorVersion == job.node.operatorVersion,
            record.parameters == job.node.parameters
        else { throw fail("it records another operator, version or parameters") }
        let expected = job.inputs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.hex)" }
        guard record.inputs.map({ "\($0.slot)=\($0.digest.hex)" }).sorted() == expected.sorted() else {
            throw fail("it records other inputs")
        }
        guard Set(record.outputs.map(\.name)) == Set(job.node.outputs), record.outputs.count == job.node.outputs.count else {
            throw fail("it records other outputs than \(job.node.outputs.joined(separator: ", "))")
        }
    }

    // MARK: Uploads

    /// Uploads an executed stage's objects, then its record unless the server holds a different
    /// one for the key (then `report` says so and the server's stays).
    public func upload(_ record: ActionRecord, from store: Store, report: (RemoteCacheNotice) -> Void) {
        guard uploads, failureMessage == nil else { return }
        do {
            for output in record.outputs {
                let entry = RemoteEntry(.object, output.digest)
                let rewrite = lock.withLock { damaged.remove(output.digest) != nil }
                let present = rewrite ? false : try cache.exists(entry)
                if !present {
                    try cache.upload(entry, fileAt: store.objectPath(output.digest))
                }
            }
            let entry = RemoteEntry(.action, record.key)
            let bytes = Self.remoteForm(of: record).encoded()
            if let existing = try cache.read(entry) {
                if !Self.holdsSameResult(existing, as: record) { report(.conflict(conflictMessage(record, existing))) }
                return
            }
            try cache.write(entry, bytes: bytes)
            if let after = try cache.read(entry), !Self.holdsSameResult(after, as: record) { report(.conflict(conflictMessage(record, after))) }
        } catch {
            giveUp(error, report: report)
        }
    }

    /// Whether a record read from the server states the same result as `record`. Compared as
    /// decoded remote forms, not bytes: a record written by an older Assay (no checksum line)
    /// is the same result in other bytes.
    static func holdsSameResult(_ bytes: [UInt8], as record: ActionRecord) -> Bool {
        guard let existing = try? ActionRecord.decode(bytes, path: "remote") else { return false }
        return remoteForm(of: existing) == remoteForm(of: record)
    }

    /// What is uploaded for a record: only what the key determines, so that two machines that
    /// compute the same result upload the same bytes (no stage name, times, durations, mtimes,
    /// environment).
    public static func remoteForm(of record: ActionRecord) -> ActionRecord {
        ActionRecord(
            key: record.key, stage: "", operatorName: record.operatorName, operatorVersion: record.operatorVersion,
            parameters: record.parameters, inputs: record.inputs.sorted { $0.slot < $1.slot },
            outputs: record.outputs.map { .init(name: $0.name, digest: $0.digest, size: $0.size, modifiedNanoseconds: 0) },
            metrics: record.metrics, tables: record.tables, duration: 0, createdAt: 0, environment: [:])
    }

    private func conflictMessage(_ record: ActionRecord, _ existing: [UInt8]) -> String {
        var differences: [String] = []
        if let theirs = try? ActionRecord.decode(existing, path: cache.location + "/ac/" + record.key.hex) {
            for output in record.outputs {
                let other = theirs.output(named: output.name)?.digest
                if other != output.digest {
                    differences.append("output `\(output.name)` is \(other?.short ?? "absent") there, \(output.digest.short) here")
                }
            }
            for (name, value) in record.metrics.sorted(by: { $0.key < $1.key }) where theirs.metrics[name] != value {
                differences.append("metric `\(name)` is \(theirs.metrics[name].map { "\($0)" } ?? "absent") there, \(value) here")
            }
            if differences.isEmpty { differences.append("the records differ in their tables") }
        } else {
            differences.append("the server's record is unreadable")
        }
        return "the remote cache holds a different result for `\(record.stage)` (key \(record.key.short)): "
            + differences.prefix(3).joined(separator: "; ")
            + "; the server's record was kept, this machine's stays in its local store (is the operator deterministic?)"
    }

    private func giveUp(_ error: Error, report: (RemoteCacheNotice) -> Void) {
        let message = Self.message(for: error)
        let first: Bool = lock.withLock {
            guard failure == nil else { return false }
            failure = message
            return true
        }
        if first {
            report(.unavailable("the remote cache \(cache.location) failed (\(message)); continuing with the local store only"))
        }
    }

    static func message(for error: Error) -> String {
        if let e = error as? RemoteCacheError { return e.message }
        if let e = error as? EngineError { return e.description }
        return String(describing: error)
    }
}
