import AssaySupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The content-addressed store: objects by digest, the action cache, locks, checkpoints, pins
/// and the run history, all under one root directory (by default `.assay/` beside the experiment).
///
/// Layout (see ARCHITECTURE.md):
///
///     objects/ab/abcd…      read-only artifacts, named by the SHA-256 of their bytes
///     actions/ab/abcd…      action records, named by stage key
///     locks/abcd….lock      flock(2) per stage key; locks/store.lock (runs shared, gc exclusive)
///     checkpoints/abcd…/    a running stage's checkpoint, removed when it succeeds
///     pins/NAME             digests that gc keeps, one per line
///     tmp/                  scratch and output directories; published by rename
///     history.sqlite        runs, stage records, metrics
///
/// Everything is published by writing a temporary file in `tmp/`, fsyncing and renaming, so a
/// reader — another process, on this or another machine of a shared filesystem — sees a whole
/// file or none. The store holds no in-memory state that other processes depend on.
public final class Store: @unchecked Sendable {
    public let root: URL
    let rootPath: String
    let objectsPath: String
    let actionsPath: String
    let locksPath: String
    let temporaryPath: String
    let checkpointsPath: String
    let pinsPath: String
    /// Descriptors of `objects/` and `actions/`: hit checks look up `ab/abcd…` relative to them.
    private let objectsDirectory: Int32
    let actionsDirectory: Int32
    /// The wall clock in nanoseconds, against which a record file's identity is judged racy
    /// (``RecordSnapshot``); tests move it forward to use snapshots of records just written.
    var clock: @Sendable () -> Int64 = { FileIdentity.now() }

    /// Whether files are fsynced before they are renamed into place (crash-safe publication).
    /// Turn off only for throwaway stores (benchmarks, scratch experiments).
    public let durable: Bool

    /// Opens the store at `root`, creating its directories if needed.
    public init(root: URL, durable: Bool = true) throws {
        self.durable = durable
        self.root = root.standardizedFileURL
        rootPath = self.root.path
        objectsPath = rootPath + "/objects"
        actionsPath = rootPath + "/actions"
        locksPath = rootPath + "/locks"
        temporaryPath = rootPath + "/tmp"
        checkpointsPath = rootPath + "/checkpoints"
        pinsPath = rootPath + "/pins"
        for path in [objectsPath, actionsPath, locksPath, temporaryPath, checkpointsPath, pinsPath] {
            try FileSystem.makeDirectory(path)
        }
        objectsDirectory = FileSystem.openDirectory(objectsPath)
        actionsDirectory = FileSystem.openDirectory(actionsPath)
        guard objectsDirectory >= 0, actionsDirectory >= 0 else {
            throw EngineError.io(path: rootPath, message: "cannot open the store's directories: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(objectsDirectory)
        close(actionsDirectory)
    }

    /// `ab/abcd…`: where a digest's file lives below `objects/` or `actions/`.
    static func shardedName(_ digest: Digest) -> String {
        let hex = digest.hex
        return String(hex.prefix(2)) + "/" + hex
    }

    /// `.assay/` in the directory of the experiment file.
    public static func defaultRoot(forExperimentAt file: URL) -> URL {
        file.deletingLastPathComponent().appendingPathComponent(".assay", isDirectory: true)
    }

    public var historyURL: URL { root.appendingPathComponent("history.sqlite") }

    /// Opens the run history (a new connection each call; keep the one you get). A damaged or
    /// emptied database is rebuilt from the run and action records (`History.recovery` says
    /// so), and runs whose process died are recorded as interrupted with what they finished.
    public func openHistory() throws -> History { try openRecoveringHistory() }

    // MARK: Objects

    /// SHA-256 of a file as the store computes it (streamed through one reused buffer).
    public static func digest(ofFileAt url: URL) throws -> Digest { try FileSystem.digest(ofFile: url.path) }

    public func objectPath(_ digest: Digest) -> String {
        let hex = digest.hex
        return objectsPath + "/" + hex.prefix(2) + "/" + hex
    }

    public func objectURL(_ digest: Digest) -> URL { URL(fileURLWithPath: objectPath(digest)) }

    public func hasObject(_ digest: Digest) -> Bool { FileSystem.exists(objectPath(digest)) }

    /// The stored objects whose hex digest starts with `prefix` (at least 2 lowercase hex digits),
    /// sorted: what a digest abbreviation typed by a user can mean.
    public func objects(withPrefix prefix: String) -> [Digest] {
        guard prefix.count >= 2 else { return [] }
        return FileSystem.contents(of: objectsPath + "/" + prefix.prefix(2))
            .filter { $0.count == 64 && $0.hasPrefix(prefix) }
            .sorted()
            .compactMap(Digest.init(hex:))
    }

    /// Re-hashes an object. Returns false (and removes the object) when the bytes do not match
    /// the name; throws `missingObject` when there is none.
    public func verifyObject(_ digest: Digest) throws -> Bool {
        let path = objectPath(digest)
        guard FileSystem.exists(path) else { throw EngineError.missingObject(digest: digest.hex) }
        let actual = try FileSystem.digest(ofFile: path)
        if actual == digest { return true }
        quarantine(path)
        return false
    }

    /// Reads an object, verifying its digest.
    public func readObject(_ digest: Digest) throws -> [UInt8] {
        let path = objectPath(digest)
        guard let bytes = try FileSystem.readFile(path) else { throw EngineError.missingObject(digest: digest.hex) }
        guard Digest.of(bytes) == digest else {
            quarantine(path)
            throw EngineError.corruptObject(digest: digest.hex, path: path)
        }
        return bytes
    }

    /// Stores bytes as an object and returns their digest.
    @discardableResult
    public func putObject(_ bytes: [UInt8]) throws -> Digest {
        let digest = Digest.of(bytes)
        if !hasObject(digest) {
            try FileSystem.writeAtomically(bytes, to: objectPath(digest), temporaryDirectory: temporaryPath, mode: 0o444, sync: durable)
        }
        return digest
    }

    /// Publishes a finished file as an object: hash, fsync, make read-only, rename into place.
    /// The file is consumed (moved, or deleted when an identical object already exists). A `digest`
    /// taken while the file was written (`StageContext.recordDigest`) replaces the hashing.
    public func publish(fileAt path: String, digest known: Digest? = nil) throws -> Digest {
        let digest = try known ?? FileSystem.digest(ofFile: path)
        let target = objectPath(digest)
        if FileSystem.exists(target) {
            FileSystem.remove(path)
        } else {
            if durable { try FileSystem.fsyncFile(path) }
            chmod(path, 0o444)
            try FileSystem.rename(path, to: target)
        }
        return digest
    }

    /// Installs a downloaded file as the object `digest` if its bytes hash to that name; a file
    /// that does not is deleted and nothing enters the store (false).
    public func install(fileAt path: String, as digest: Digest) throws -> Bool {
        guard try FileSystem.digest(ofFile: path) == digest else {
            FileSystem.remove(path)
            return false
        }
        if FileSystem.exists(objectPath(digest)) {
            FileSystem.remove(path)
        } else {
            if durable { try FileSystem.fsyncFile(path) }
            chmod(path, 0o444)
            try FileSystem.rename(path, to: objectPath(digest))
        }
        return true
    }

    /// Removes a damaged object so that nothing reads it again; the stage that made it reruns.
    func quarantine(_ path: String) {
        chmod(path, 0o644)
        unlink(path)
    }

    // MARK: Action cache

    func actionPath(_ key: Digest) -> String {
        let hex = key.hex
        return actionsPath + "/" + hex.prefix(2) + "/" + hex
    }

    /// The action record for `key`, or nil when the key was never computed (or was collected).
    public func actionRecord(for key: Digest) throws -> ActionRecord? {
        let name = Store.shardedName(key)
        guard let bytes = try FileSystem.readFile(name, relativeTo: actionsDirectory) else { return nil }
        return try ActionRecord.decode(bytes, path: actionsPath + "/" + name)
    }

    public func write(_ record: ActionRecord) throws {
        try FileSystem.writeAtomically(record.encoded(), to: actionPath(record.key), temporaryDirectory: temporaryPath, sync: durable)
    }

    public func removeActionRecord(for key: Digest) { unlink(actionPath(key)) }

    /// What a cache hit must still check: that every output object exists and is intact.
    public enum HitCheck: Equatable, Sendable {
        case valid
        case missing(output: String, digest: Digest)
        case corrupt(output: String, digest: Digest, path: String)
    }

    /// How hard a hit is checked.
    public enum Verification: Sendable {
        /// One `stat` per output: size and mtime must match the record, else the object is
        /// re-hashed (like git's index). Catches truncation and in-place edits cheaply.
        case stat
        /// Re-hash every output of every hit.
        case full
    }

    public func check(_ record: ActionRecord, verification: Verification = .stat) -> HitCheck {
        check(record, verification: verification, alreadyVerified: EmptyCollection())
    }

    /// - Parameter alreadyVerified: objects checked earlier in this run (a stage's inputs: its
    ///   producers were hits or just wrote them), not looked at again — a data set a split
    ///   passes through unchanged is its input's object.
    func check(_ record: ActionRecord, verification: Verification, alreadyVerified: some Collection<Digest>) -> HitCheck {
        for output in record.outputs where !alreadyVerified.contains(output.digest) {
            guard let info = FileSystem.fileStat(Store.shardedName(output.digest), relativeTo: objectsDirectory) else {
                return .missing(output: output.name, digest: output.digest)
            }
            let unchanged = info.size == output.size && info.modifiedNanoseconds == output.modifiedNanoseconds
            if unchanged && verification == .stat { continue }
            let path = objectPath(output.digest)
            let actual = try? FileSystem.digest(ofFile: path)
            if actual != output.digest {
                quarantine(path)
                return .corrupt(output: output.name, digest: output.digest, path: path)
            }
        }
        return .valid
    }

    // MARK: Locks, scratch space, checkpoints

    /// The lock that makes sure one stage key is computed by one process at a time.
    public func lock(for key: Digest) throws -> FileLock {
        try FileLock(path: locksPath + "/" + key.hex + ".lock")
    }

    /// Runs hold this lock shared; `gc` holds it exclusively.
    public func storeLock() throws -> FileLock { try FileLock(path: locksPath + "/store.lock") }

    /// A fresh directory for one execution of `key`. Call with the key's lock held: it first
    /// removes what earlier executions of the same key left (a run killed mid-stage).
    func makeWorkDirectory(for key: Digest) throws -> String {
        let prefix = key.hex + "."
        for name in FileSystem.contents(of: temporaryPath) where name.hasPrefix(prefix) {
            FileSystem.remove(temporaryPath + "/" + name)
        }
        let path = temporaryPath + "/" + FileSystem.uniqueName(prefix: key.hex)
        try FileSystem.makeDirectory(path)
        return path
    }

    func checkpointDirectory(for key: Digest) -> String { checkpointsPath + "/" + key.hex }

    // MARK: Pins

    /// Keeps `digests` through garbage collection under `name` (replacing an earlier pin).
    public func pin(_ name: String, digests: [Digest]) throws {
        let text = digests.map(\.hex).joined(separator: "\n") + "\n"
        try FileSystem.writeAtomically(Array(text.utf8), to: pinsPath + "/" + name, temporaryDirectory: temporaryPath)
    }

    public func unpin(_ name: String) { unlink(pinsPath + "/" + name) }

    /// Pin names and their digests.
    public func pins() throws -> [String: [Digest]] {
        var out: [String: [Digest]] = [:]
        for name in FileSystem.contents(of: pinsPath) {
            guard let bytes = try FileSystem.readFile(pinsPath + "/" + name) else { continue }
            out[name] = String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { Digest(hex: String($0)) }
        }
        return out
    }
}
