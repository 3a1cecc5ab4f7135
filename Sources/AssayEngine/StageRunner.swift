import AssaySupport
import Foundation

/// Executes one stage job against the store: lock the key, re-check the cache, verify the
/// inputs, run the operator in a fresh work directory, publish the outputs, write the record.
///
/// This is the whole protocol that makes concurrent runs safe: the per-key `flock` means one
/// process computes a key at a time; whoever gets the lock second re-checks the action cache
/// and finds the first one's result. A process killed mid-stage releases the lock (the kernel
/// does) and leaves only a work directory, which the next holder of the key removes.
public struct StageRunner: Sendable {
    public let store: Store
    public let operators: [String: any StageOperator]
    /// A cache shared with other machines: looked up before a stage executes (and for inputs
    /// this store lacks), written after.
    public let remote: RemoteCacheSession?
    /// Describes where stages execute (version, BLAS, CPU), asked only when one does; the
    /// record adds the job's thread count.
    public let environment: @Sendable () -> [String: String]

    public init(
        store: Store, operators: [String: any StageOperator], remote: RemoteCacheSession? = nil,
        environment: @escaping @Sendable () -> [String: String] = { [:] }
    ) {
        self.store = store
        self.operators = operators
        self.remote = remote
        self.environment = environment
    }

    public func execute(
        _ job: StageJob, events: @escaping @Sendable (ExecutorEvent) -> Void = { _ in },
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) -> StageOutcome {
        guard let op = operators[job.node.operatorName] else {
            return .failed(EngineError.unknownOperator(stage: job.node.id, operatorName: job.node.operatorName).description)
        }
        // Shared store lock: `gc` cannot delete inputs or work files under a running stage,
        // also when this runner is a job of a cluster executor rather than part of a local run.
        // The key's lock file is opened only under the store lock, so gc (which removes lock
        // files while it holds the store lock exclusively) never unlinks one someone has open.
        let storeLock: FileLock
        do { storeLock = try store.storeLock() } catch { return .failed(Self.message(for: error)) }
        guard storeLock.lock(exclusive: false, shouldStop: isCancelled) else { return .cancelled }
        defer { storeLock.unlock() }
        let lock: FileLock
        do { lock = try store.lock(for: job.key) } catch { return .failed(Self.message(for: error)) }
        guard lock.lock(onWait: { events(.waitingForLock) }, shouldStop: isCancelled) else { return .cancelled }
        defer { lock.unlock() }

        if !job.force, let record = try? store.actionRecord(for: job.key), store.check(record) == .valid {
            return .foundCached(record)
        }
        let report: (RemoteCacheNotice) -> Void = { events(.remote($0)) }
        if !job.force, let remote, let record = remote.lookup(job, in: store, report: report) {
            return .fetchedRemote(record)
        }

        var handles: [String: ArtifactHandle] = [:]
        for (slot, digest) in job.inputs {
            let path = store.objectPath(digest)
            // On a machine that does not share this store (a cluster node), inputs come from the remote.
            if let remote, !store.hasObject(digest) { _ = remote.fetchObject(digest, into: store, for: job.node.id, report: report) }
            guard let info = FileSystem.fileStat(path), (try? store.verifyObject(digest)) == true else {
                return .corruptInput(slot: slot, digest: digest)
            }
            handles[slot] = ArtifactHandle(digest: digest, url: URL(fileURLWithPath: path), size: info.size)
        }

        let work: String
        do { work = try store.makeWorkDirectory(for: job.key) } catch { return .failed(Self.message(for: error)) }
        defer { FileSystem.remove(work) }
        let context = StageContext(
            node: job.node, key: job.key, threads: job.threads, workDirectory: work,
            checkpointDirectory: store.checkpointDirectory(for: job.key), temporaryDirectory: store.temporaryPath,
            progress: { events(.progress($0)) }, cancelled: isCancelled)

        let started = Date()
        let result: StageResult
        do {
            result = try op.run(job.node, inputs: handles, context: context)
        } catch EngineError.cancelled {
            return .cancelled
        } catch {
            return .failed(Self.message(for: error))
        }
        let duration = Date().timeIntervalSince(started)

        do {
            var outputs: [ActionRecord.Output] = []
            for name in job.node.outputs {
                let path = context.output(named: name).path
                guard FileSystem.exists(path) else {
                    throw EngineError.missingOutput(stage: job.node.id, output: name, expectedAt: path)
                }
                let digest = try store.publish(fileAt: path, digest: context.writtenDigest(ofOutput: name, at: path))
                guard let info = FileSystem.fileStat(store.objectPath(digest)) else { throw EngineError.missingObject(digest: digest.hex) }
                outputs.append(.init(name: name, digest: digest, size: info.size, modifiedNanoseconds: info.modifiedNanoseconds))
            }
            let record = ActionRecord(
                key: job.key, stage: job.node.id, operatorName: job.node.operatorName,
                operatorVersion: job.node.operatorVersion, parameters: job.node.parameters,
                inputs: job.inputs.sorted { $0.key < $1.key }.map { (slot: $0.key, digest: $0.value) },
                outputs: outputs, metrics: result.metrics, tables: result.tables, duration: duration,
                createdAt: Date().timeIntervalSince1970,
                environment: environment().merging(["threads": String(job.threads)]) { _, job in job })
            try store.write(record)
            FileSystem.remove(store.checkpointDirectory(for: job.key))
            remote?.upload(record, from: store, report: report)
            return .executed(record)
        } catch {
            return .failed(Self.message(for: error))
        }
    }

    static func message(for error: Error) -> String {
        if let e = error as? EngineError { return e.description }
        // Foundation's localizedDescription is "The operation could not be completed…": put system errors in words.
        return SystemErrorText.message(for: error)
    }
}
