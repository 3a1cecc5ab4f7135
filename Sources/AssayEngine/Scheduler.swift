import AssaySupport
import Foundation

/// The state machine of one run: units are (point, stage) pairs; a unit becomes ready when all
/// its producers are done, is resolved on the coordinating thread (key, cache lookup — cheap),
/// and only misses go to the executor. Units of different points with the same key share one
/// execution: the first is the owner, the others follow it.
struct Scheduler {
    enum State {
        case waiting
        case ready
        case queued
        case running(JobID)
        case following(Int)
        case done(StageStatus)
    }

    struct Unit {
        let point: Int
        let node: Int
        /// Producer units not yet done.
        var waitingOn: [Int]
        var dependents: [Int] = []
        var followers: [Int] = []
        var key: Digest?
        var inputs: [(slot: String, digest: Digest)] = []
        var state: State = .waiting
        var record: ActionRecord?
        var forced: Bool
        var rebuilds = 0
        /// The hit was downloaded from the remote cache.
        var fromRemote = false
    }

    let store: Store
    let points: [(point: String, plan: Plan)]
    let options: RunOptions
    let executor: any StageExecutor
    let capacity: Int
    let observer: SerializedObserver
    let isCancelled: () -> Bool

    private var units: [Unit] = []
    /// First unit of each point.
    private var base: [Int] = []
    private var ready: [Int] = []
    private var readyHead = 0
    private var queue: [Int] = []
    private var queueHead = 0
    private var running: [JobID: Int] = [:]
    /// Keys queued or running, by the unit that owns the execution.
    private var owners: [Digest: Int] = [:]
    private var halted = false
    private var sawFailure = false
    private var firstFailure: String?
    private var executed: [ActionRecord] = []
    /// Job ids reported by the executor (from its threads), by unit.
    private let jobIDs = JobIDTable()
    /// The records this plan's last run used (``RecordSnapshot``), and the next such snapshot.
    private let snapshot: RecordSnapshot?
    private var served: [(key: Digest, source: RecordSource)] = []
    private var servedFromSnapshot = 0
    /// Whether the next snapshot differs from the one read (records read from files, entries gone stale).
    private var snapshotChanged = false
    /// Record files modified after this (the run's start less the timestamp granularity) are racy.
    private let startedAt: Int64

    init(
        store: Store, points: [(point: String, plan: Plan)], options: RunOptions, executor: any StageExecutor,
        capacity: Int, observer: SerializedObserver, isCancelled: @escaping () -> Bool
    ) {
        self.store = store
        self.points = points
        self.options = options
        self.executor = executor
        self.capacity = capacity
        self.observer = observer
        self.isCancelled = isCancelled
        startedAt = store.clock()
        snapshot = store.recordSnapshot(named: RecordSnapshot.name(for: points, experimentPath: options.description.experimentPath))
        build()
    }

    private mutating func build() {
        for (p, entry) in points.enumerated() {
            let plan = entry.plan
            let offset = units.count
            base.append(offset)
            var forcedNodes = Set(options.force.compactMap { plan.indexByID[$0] })
            forcedNodes.formUnion(plan.downstream(of: options.from.compactMap { plan.indexByID[$0] }))
            var selected: Set<Int>? = nil
            if let only = options.only, let i = plan.indexByID[only] { selected = plan.upstream(of: [i]) }
            if options.only != nil && selected == nil { selected = [] }
            units.reserveCapacity(units.count + plan.nodes.count)
            for (i, node) in plan.nodes.enumerated() {
                var producers: [Int] = []
                for input in node.inputs {
                    let u = offset + plan.indexByID[input.node]!
                    if !producers.contains(u) { producers.append(u) }
                }
                units.append(Unit(point: p, node: i, waitingOn: producers, forced: forcedNodes.contains(i)))
                if let selected, !selected.contains(i) { units[offset + i].state = .done(.notSelected) }
            }
            for i in plan.order {
                let u = offset + i
                for producer in units[u].waitingOn { units[producer].dependents.append(u) }
            }
            for i in plan.order where units[offset + i].waitingOn.isEmpty {
                if case .waiting = units[offset + i].state { units[offset + i].state = .ready; ready.append(offset + i) }
            }
        }
    }

    private func node(_ u: Int) -> PlanNode { points[units[u].point].plan.nodes[units[u].node] }
    private func pointName(_ u: Int) -> String { points[units[u].point].point }

    // MARK: Main loop

    mutating func run() -> RunStatus {
        var cancelled = false
        while true {
            if !cancelled && isCancelled() {
                cancelled = true
                halted = true
                for id in running.keys { executor.cancel(id) }
            }
            while !halted && readyHead < ready.count {
                let u = ready[readyHead]
                readyHead += 1
                resolve(u)
            }
            while !halted && running.count < capacity && queueHead < queue.count {
                let u = queue[queueHead]
                queueHead += 1
                dispatch(u)
            }
            if running.isEmpty && (halted || (readyHead == ready.count && queueHead == queue.count)) { break }
            if running.isEmpty { continue }
            executor.waitForChange(timeout: 0.05)
            for (id, u) in running {
                if case .finished(let outcome) = executor.poll(id) {
                    running[id] = nil
                    finish(u, outcome)
                }
            }
        }
        // Whatever did not get to run.
        for u in units.indices {
            switch units[u].state {
            case .done: continue
            default:
                units[u].state = .done(cancelled ? .cancelled : .skipped(because: firstFailure ?? ""))
            }
        }
        if options.dryRun { return .planned }
        if cancelled { return .cancelled }
        return sawFailure ? .failed : .succeeded
    }

    // MARK: Resolving a ready unit

    private mutating func resolve(_ u: Int) {
        let node = node(u)
        let point = pointName(u)
        let offset = base[units[u].point]
        let plan = points[units[u].point].plan
        var inputs: [(slot: String, digest: Digest)] = []
        inputs.reserveCapacity(node.inputs.count)
        var unknown = false
        for input in node.inputs {
            let producer = offset + plan.indexByID[input.node]!
            guard let digest = units[producer].record?.output(named: input.output)?.digest else { unknown = true; break }
            inputs.append((input.slot, digest))
        }
        if unknown {
            // Only in a dry run: an upstream stage would run, so this key is not known yet.
            complete(u, .wouldRun)
            return
        }
        let key = StageKey.compute(
            operatorName: node.operatorName, operatorVersion: node.operatorVersion, parameters: node.parameters, inputs: inputs)
        units[u].key = key

        if let owner = owners[key] {
            units[u].state = .following(owner)
            units[owner].followers.append(u)
            observer.send(.stageShared(point: point, stage: node.id, key: key, withPoint: pointName(owner)))
            return
        }
        if !units[u].forced, let (record, source) = cachedRecord(for: key, point: point, stage: node.id) {
            switch store.check(record, verification: options.verification, alreadyVerified: inputs.lazy.map(\.digest)) {
            case .valid:
                noteInSnapshot(key, source)
                units[u].record = record
                observer.send(.stageHit(point: point, stage: node.id, key: key))
                complete(u, .hit)
                return
            case .corrupt(_, let digest, let path):
                observer.send(.objectCorrupt(point: point, stage: node.id, digest: digest, path: path))
            case .missing:
                break
            }
        }
        if options.dryRun {
            complete(u, .wouldRun)
            return
        }
        units[u].inputs = inputs
        owners[key] = u
        units[u].state = .queued
        queue.append(u)
    }

    /// Where a cached record came from: this plan's snapshot, or its file.
    private enum RecordSource {
        case snapshot(RecordSnapshot.Entry)
        case file(bytes: [UInt8], identity: FileIdentity)
    }

    /// The action record of `key`: from the snapshot while its file is the one the snapshot
    /// noted (one `stat`), else read from its file. A damaged one is reported, never served, and
    /// removed so that the stage executes again (a dry run only reports it).
    private mutating func cachedRecord(for key: Digest, point: String, stage: String) -> (ActionRecord, RecordSource)? {
        if let snapshot, let entry = snapshot.entries[key] {
            if store.actionRecordIdentity(for: key) == entry.identity, let record = snapshot.record(entry, key: key) {
                return (record, .snapshot(entry))
            }
            snapshotChanged = true
        }
        do {
            guard let (record, bytes, identity) = try store.actionRecordAndIdentity(for: key) else { return nil }
            return (record, .file(bytes: bytes, identity: identity))
        } catch {
            var problem = "\(error)"
            var removed = false
            if case EngineError.malformedRecord(_, let message) = error {
                problem = message
                if !options.dryRun {
                    store.removeActionRecord(for: key)
                    removed = true
                }
            }
            observer.send(.recordDamaged(point: point, stage: stage, path: store.actionPath(key), problem: problem, removed: removed))
            return nil
        }
    }

    /// Keeps a served hit's record for the next snapshot (not in a dry run, which writes none); a
    /// file written so recently that it could change without its identity changing is left out
    /// (the next run reads it again).
    private mutating func noteInSnapshot(_ key: Digest, _ source: RecordSource) {
        guard !options.dryRun else { return }
        switch source {
        case .snapshot:
            servedFromSnapshot += 1
        case .file(_, let identity):
            guard !identity.isRacy(lookedAtBefore: startedAt) else { return }
            snapshotChanged = true
        }
        served.append((key, source))
    }

    /// Files the records this run served for the next run of the same plan, when they differ from
    /// the snapshot read: some came from their files, or some entries went unused. A failure costs
    /// only speed.
    func saveSnapshot() {
        guard !options.dryRun, snapshotChanged || servedFromSnapshot < snapshot?.entries.count ?? 0 else { return }
        var next = RecordSnapshot.Builder()
        for (key, source) in served {
            switch source {
            case .snapshot(let entry): next.add(key: key, identity: entry.identity, record: snapshot!.bytes[entry.bytes])
            case .file(let bytes, let identity): next.add(key: key, identity: identity, record: bytes)
            }
        }
        let name = RecordSnapshot.name(for: points, experimentPath: options.description.experimentPath)
        try? store.storeRecordSnapshot(next.encoded(), named: name)
    }

    private mutating func dispatch(_ u: Int) {
        let node = node(u)
        let point = pointName(u)
        let key = units[u].key!
        let job = StageJob(
            node: node, key: key, inputs: Dictionary(uniqueKeysWithValues: units[u].inputs.map { ($0.slot, $0.digest) }), threads: options.threadsPerStage, force: units[u].forced)
        let observer = self.observer
        let jobIDs = self.jobIDs
        observer.send(.stageStarted(point: point, stage: node.id, key: key))
        do {
            let id = try executor.submit(job) { event in
                switch event {
                case .progress(let progress):
                    observer.send(.stageProgress(point: point, stage: node.id, progress: progress))
                case .waitingForLock:
                    observer.send(.stageWaitingForLock(point: point, stage: node.id, key: key))
                case .submitted(let externalID):
                    jobIDs.set(u, externalID)
                case .remote(let notice):
                    observer.send(.remoteNotice(point: point, stage: node.id, notice: notice))
                }
            }
            units[u].state = .running(id)
            running[id] = u
        } catch {
            fail(u, "could not submit: \(error)")
        }
    }

    // MARK: Outcomes

    private mutating func finish(_ u: Int, _ outcome: StageOutcome) {
        let node = node(u)
        let point = pointName(u)
        switch outcome {
        case .executed(let record):
            owners[record.key] = nil
            units[u].record = record
            executed.append(record)
            observer.send(.stageFinished(point: point, stage: node.id, key: record.key, duration: record.duration))
            complete(u, .executed)
        case .fetchedRemote(let record):
            owners[record.key] = nil
            units[u].record = record
            units[u].fromRemote = true
            observer.send(.stageHit(point: point, stage: node.id, key: record.key))
            complete(u, .hit)
        case .foundCached(let record):
            owners[record.key] = nil
            units[u].record = record
            observer.send(.stageHit(point: point, stage: node.id, key: record.key))
            complete(u, .hit)
        case .failed(let message):
            owners[units[u].key!] = nil
            fail(u, message)
        case .cancelled:
            owners[units[u].key!] = nil
            if isCancelled() {
                units[u].state = .done(.cancelled)
                for f in units[u].followers { units[f].state = .done(.cancelled) }
            } else {
                fail(u, "the stage stopped as if cancelled, but the run was not cancelled")
            }
        case .corruptInput(let slot, let digest):
            owners[units[u].key!] = nil
            rebuildProducer(of: u, slot: slot, digest: digest)
        }
    }

    /// An input object vanished or was damaged after its producer was resolved: run the
    /// producer again, then this unit.
    private mutating func rebuildProducer(of u: Int, slot: String, digest: Digest) {
        let node = node(u)
        let plan = points[units[u].point].plan
        observer.send(.objectCorrupt(point: pointName(u), stage: node.id, digest: digest, path: store.objectPath(digest)))
        guard let input = node.inputs.first(where: { $0.slot == slot }), units[u].rebuilds < 2 else {
            fail(u, "input `\(slot)` (object \(digest.short)) is missing or corrupt and could not be rebuilt")
            return
        }
        units[u].rebuilds += 1
        let producer = base[units[u].point] + plan.indexByID[input.node]!
        units[u].state = .waiting
        units[u].waitingOn = [producer]
        units[producer].record = nil
        units[producer].state = .ready
        ready.append(producer)
    }

    private mutating func complete(_ u: Int, _ status: StageStatus) {
        units[u].state = .done(status)
        let followers = units[u].followers
        units[u].followers = []
        for f in followers {
            units[f].record = units[u].record
            observer.send(.stageHit(point: pointName(f), stage: node(f).id, key: units[f].key!))
            complete(f, status == .executed ? .hit : status)
        }
        for d in units[u].dependents {
            guard case .waiting = units[d].state, let at = units[d].waitingOn.firstIndex(of: u) else { continue }
            units[d].waitingOn.remove(at: at)
            if units[d].waitingOn.isEmpty {
                units[d].state = .ready
                ready.append(d)
            }
        }
    }

    private mutating func fail(_ u: Int, _ message: String) {
        sawFailure = true
        let stage = node(u).id
        if firstFailure == nil { firstFailure = stage }
        if !options.keepGoing { halted = true }
        units[u].state = .done(.failed(message))
        observer.send(.stageFailed(point: pointName(u), stage: stage, message: message))
        let followers = units[u].followers
        units[u].followers = []
        for f in followers { fail(f, message) }
        var stack = units[u].dependents
        while let d = stack.popLast() {
            guard case .waiting = units[d].state else { continue }
            units[d].state = .done(.skipped(because: stage))
            observer.send(.stageSkipped(point: pointName(d), stage: node(d).id, because: stage))
            stack += units[d].dependents
        }
    }

    // MARK: Results

    func reports() -> [StageReport] {
        var out: [StageReport] = []
        out.reserveCapacity(units.count)
        for (p, entry) in points.enumerated() {
            for i in entry.plan.order {
                let unit = units[base[p] + i]
                guard case .done(let status) = unit.state else { continue }
                let node = entry.plan.nodes[i]
                let record = unit.record
                var outputs: [String: Digest] = [:]
                for o in record?.outputs ?? [] { outputs[o.name] = o.digest }
                out.append(StageReport(
                    point: entry.point, stage: node.id, operatorName: node.operatorName, key: unit.key, status: status,
                    duration: status == .executed ? record?.duration ?? 0 : 0, outputs: outputs,
                    metrics: record?.metrics ?? [:], tables: record?.tables ?? [:], executorJobID: jobIDs.get(base[p] + i),
                    fromRemote: unit.fromRemote))
            }
        }
        return out
    }

    func executedRecords() -> [ActionRecord] { executed }
}

/// Executor job ids, written from executor threads and read when the run ends.
final class JobIDTable: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [Int: String] = [:]

    func set(_ unit: Int, _ id: String) {
        lock.lock()
        ids[unit] = id
        lock.unlock()
    }

    func get(_ unit: Int) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return ids[unit]
    }
}
