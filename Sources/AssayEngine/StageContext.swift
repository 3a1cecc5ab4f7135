import AssaySupport
import Foundation

/// Everything a running operator may use: where to write its outputs, scratch space, progress
/// reporting, cancellation, checkpoints and its thread budget.
public final class StageContext: @unchecked Sendable {
    public let node: PlanNode
    /// The stage key being computed.
    public let key: Digest
    /// Threads the stage may use (its share of the machine; `jobs × threads` ≤ cores).
    public let threads: Int
    /// A private directory, deleted after the stage ends (created on first use).
    public var scratchDirectory: URL {
        get throws {
            try FileSystem.makeDirectory(scratchURL.path)
            return scratchURL
        }
    }
    let scratchURL: URL
    let outputDirectory: URL
    let checkpointDirectory: URL
    let progressSink: @Sendable (StageProgress) -> Void
    let cancelled: @Sendable () -> Bool
    let temporaryDirectory: String
    /// Digests operators took while writing outputs, with the output file's identity then (`writtenDigest`).
    private var writtenDigests: [String: (digest: Digest, identity: FileIdentity)] = [:]
    private let writtenDigestsLock = NSLock()

    init(
        node: PlanNode, key: Digest, threads: Int, workDirectory: String, checkpointDirectory: String,
        temporaryDirectory: String, progress: @escaping @Sendable (StageProgress) -> Void,
        cancelled: @escaping @Sendable () -> Bool
    ) {
        self.node = node
        self.key = key
        self.threads = threads
        scratchURL = URL(fileURLWithPath: workDirectory + "/scratch", isDirectory: true)
        outputDirectory = URL(fileURLWithPath: workDirectory, isDirectory: true)
        self.checkpointDirectory = URL(fileURLWithPath: checkpointDirectory, isDirectory: true)
        self.temporaryDirectory = temporaryDirectory
        progressSink = progress
        self.cancelled = cancelled
    }

    /// Where to write the output `name` (one of `node.outputs`). The engine hashes and publishes
    /// the file after `run` returns; until then nobody else can see it.
    public func output(named name: String) -> URL {
        outputDirectory.appendingPathComponent(Self.fileName(forOutput: name))
    }

    /// Tells the engine the digest of output `name`, taken while writing it (as `HashingFileWriter` does), once
    /// the file is complete and closed: the engine then publishes it without reading it again — provided the
    /// file's identity (inode, size, modification and change times) is still what it is now; otherwise the
    /// engine hashes the file as usual. Writing a data set of 1.5 GB, that second read cost a second of a
    /// load's time.
    public func recordDigest(_ digest: Digest, ofOutput name: String) {
        guard let identity = FileIdentity.of(path: output(named: name).path) else { return }
        writtenDigestsLock.lock()
        writtenDigests[name] = (digest, identity)
        writtenDigestsLock.unlock()
    }

    /// The digest recorded for output `name`, if the file at `path` is unchanged since it was recorded.
    func writtenDigest(ofOutput name: String, at path: String) -> Digest? {
        writtenDigestsLock.lock()
        let recorded = writtenDigests[name]
        writtenDigestsLock.unlock()
        guard let recorded, FileIdentity.of(path: path) == recorded.identity else { return nil }
        return recorded.digest
    }

    static func fileName(forOutput name: String) -> String {
        // Outputs sit beside `scratch/` in the work directory (one mkdir per execution: creating
        // and removing directories is what costs most when many small stages run). Output names
        // are identifiers, but keep any path separator from escaping the directory.
        "output." + name.replacingOccurrences(of: "/", with: "%2F")
    }

    /// Reports progress; the engine forwards it to the run's observer.
    public func report(_ progress: StageProgress) { progressSink(progress) }

    public func report(fraction: Double?, message: String = "", metrics: [String: Double] = [:]) {
        progressSink(StageProgress(fraction: fraction, message: message, metrics: metrics))
    }

    /// Reports something the user should see as a line of its own, such as resuming from a
    /// checkpoint.
    public func notice(_ message: String, fraction: Double? = nil) {
        progressSink(StageProgress(fraction: fraction, message: message, isNotice: true))
    }

    public var isCancelled: Bool { cancelled() }

    /// Throws `EngineError.cancelled` when the run was cancelled; call between units of work.
    public func checkCancelled() throws {
        if cancelled() { throw EngineError.cancelled }
    }

    /// Saves a checkpoint for this stage key, replacing the previous one atomically. If the
    /// stage is interrupted, the next execution of the same key finds it with `loadCheckpoint()`.
    public func saveCheckpoint(_ data: Data) throws {
        try FileSystem.makeDirectory(checkpointDirectory.path)
        try FileSystem.writeAtomically(
            [UInt8](data), to: checkpointDirectory.appendingPathComponent("checkpoint").path,
            temporaryDirectory: temporaryDirectory)
    }

    /// The last checkpoint saved for this stage key, if an earlier execution was interrupted.
    public func loadCheckpoint() throws -> Data? {
        try FileSystem.readFile(checkpointDirectory.appendingPathComponent("checkpoint").path).map { Data($0) }
    }
}
