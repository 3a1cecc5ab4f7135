import AssaySupport
import Foundation

/// Runs plans against a store: computes each stage's key as its inputs become known, takes
/// hits from the action cache, and submits misses to an executor, independent stages in
/// parallel. One engine may run several plans in turn; `cancel()` stops the current run.
public final class Engine: @unchecked Sendable {
    public let store: Store
    public let operators: [String: any StageOperator]
    private let customExecutor: (any StageExecutor)?
    /// The cache shared with other machines, if any (used by the default local executor; a
    /// custom executor brings its own).
    public let remote: RemoteCacheSession?
    /// Where stages execute, recorded in their action records (see ``StageRunner/environment``).
    public let environment: @Sendable () -> [String: String]
    private let flagLock = NSLock()
    private var cancelRequested = false

    /// - Parameter executor: where misses run; by default a ``LocalExecutor`` with `jobs` threads.
    public init(
        store: Store, operators: [String: any StageOperator], executor: (any StageExecutor)? = nil, remote: RemoteCacheSession? = nil,
        environment: @escaping @Sendable () -> [String: String] = { [:] }
    ) {
        self.store = store
        self.operators = operators
        customExecutor = executor
        self.remote = remote
        self.environment = environment
    }

    /// Asks the current run to stop: no new stage starts, running ones are asked to stop, and
    /// `run` returns with status `.cancelled`. Completed stages stay cached, so the next run resumes.
    public func cancel() {
        flagLock.lock()
        cancelRequested = true
        flagLock.unlock()
    }

    public var isCancelled: Bool {
        flagLock.lock()
        defer { flagLock.unlock() }
        return cancelRequested
    }

    public func run(_ plan: Plan, options: RunOptions = RunOptions(), observer: @escaping @Sendable (EngineEvent) -> Void = { _ in }) throws -> RunResult {
        try run(points: [(point: "", plan: plan)], options: options, observer: observer)
    }

    /// Runs several plans as one (a sweep): a stage whose key is equal in several points
    /// executes once and the others reuse it. The result lists every point's stages.
    public func run(
        points: [(point: String, plan: Plan)], options: RunOptions = RunOptions(),
        observer: @escaping @Sendable (EngineEvent) -> Void = { _ in }
    ) throws -> RunResult {
        flagLock.lock()
        cancelRequested = false
        flagLock.unlock()

        var seen = Set<String>()
        for (point, _) in points where !seen.insert(point).inserted { throw EngineError.duplicatePoint(point) }
        for name in options.force.union(options.from) + (options.only.map { [$0] } ?? []) {
            guard points.contains(where: { $0.plan[name] != nil }) else {
                throw EngineError.unknownSelection(option: options.force.contains(name) ? "--force" : options.from.contains(name) ? "--from" : "--only", stage: name)
            }
        }
        if let only = options.only, !options.dryRun {
            try checkOnlyInputsCached(only, points: points, options: options)
        }

        let runID = Self.makeRunID()
        let history = options.recordHistory && !options.dryRun ? try store.openHistory() : nil
        let storeLock = try store.storeLock()
        guard storeLock.lock(exclusive: false, shouldStop: { self.isCancelled }) else {
            return RunResult(runID: runID, status: .cancelled, points: points.map(\.point), stages: [])
        }
        defer { storeLock.unlock() }
        // Temporary files and work directories of processes killed mid-write (never a live one's).
        if !options.dryRun { store.removeLeftoversOfDeadProcesses() }

        var description = options.description
        if history != nil && description.gitCommit == nil && !description.experimentPath.isEmpty {
            description.gitCommit = GitCommit.lookup(nearFile: description.experimentPath)
        }
        // Held for the whole run so that `log` can tell a live run from one whose process died.
        var runLock: FileLock?
        if history != nil {
            runLock = try FileLock(path: History.runLockPath(historyPath: store.historyURL.path, runID: runID))
            _ = runLock?.tryLock()
        }
        defer {
            if let runLock {
                unlink(runLock.path)
                runLock.unlock()
            }
        }
        if let history, try !history.hasDescription(description.parametersDigest) { try store.storeParameters(of: description) }
        try history?.beginRun(id: runID, description: description, points: points.map(\.point))
        // The run's own record, from which the history can be rebuilt and which says what a
        // killed run finished.
        var recordWriter: RunRecordWriter?
        if history != nil {
            let plans = Dictionary(points.map { ($0.point, $0.plan) }, uniquingKeysWith: { first, _ in first })
            recordWriter = try RunRecordWriter(
                store: store,
                record: RunRecord(id: runID, started: Date().timeIntervalSince1970, description: description, points: points.map(\.point)),
                operatorName: { point, stage in plans[point]?[stage]?.operatorName ?? "" })
        }
        let writer = recordWriter
        let serialized = SerializedObserver { event in
            writer?.note(event)
            observer(event)
        }
        let total = points.reduce(0) { $0 + $1.plan.nodes.count }
        if let recovery = history?.recovery { serialized.send(.historyRebuilt(recovery)) }
        serialized.send(.runStarted(runID: runID, stages: total))

        let executor = customExecutor ?? LocalExecutor(
            runner: StageRunner(store: store, operators: operators, remote: remote, environment: environment), capacity: options.jobs, runCancelled: { [unowned self] in self.isCancelled })
        var scheduler = Scheduler(
            store: store, points: points, options: options, executor: executor,
            capacity: min(max(1, options.jobs), executor.capacity), observer: serialized, isCancelled: { self.isCancelled })
        let status = scheduler.run()
        scheduler.saveSnapshot()
        var stages = scheduler.reports()
        if let history {
            for i in stages.indices where stages[i].status == .executed {
                if let before = try history.latestOutputs(stage: stages[i].stage, point: stages[i].point) {
                    stages[i].sameOutputsAsLastRun = before == stages[i].outputs
                }
            }
        }
        let result = RunResult(runID: runID, status: status, points: points.map(\.point), stages: stages)
        try history?.finishRun(id: runID, status: status, stages: result.stages, executedRecords: scheduler.executedRecords())
        // The history has the run; failing to rewrite its record (a full disk) must not fail it.
        try? writer?.finish(status: status, stages: result.stages)
        serialized.send(.runFinished(runID: runID, status: status))
        return result
    }

    /// A dry run: which stages are cached, which would run, and their keys where known.
    /// - Parameter description: the experiment (its path finds the records snapshot of its last run).
    public func status(
        points: [(point: String, plan: Plan)], verification: Store.Verification = .stat, description: RunDescription = RunDescription()
    ) throws -> RunResult {
        var options = RunOptions(dryRun: true, verification: verification, recordHistory: false, description: description)
        options.jobs = 1
        return try run(points: points, options: options)
    }

    public func status(_ plan: Plan, verification: Store.Verification = .stat) throws -> RunResult {
        try status(points: [(point: "", plan: plan)], verification: verification)
    }

    private func checkOnlyInputsCached(_ stage: String, points: [(point: String, plan: Plan)], options: RunOptions) throws {
        let dry = try status(points: points, verification: options.verification, description: options.description)
        var missing: [String] = []
        for (point, plan) in points {
            guard let index = plan.indexByID[stage] else { continue }
            for i in plan.upstream(of: [index]) where i != index {
                let id = plan.nodes[i].id
                if dry.report(stage: id, point: point)?.status != .hit && !missing.contains(id) { missing.append(id) }
            }
        }
        if !missing.isEmpty { throw EngineError.onlyNeedsCachedInputs(stage: stage, missing: missing) }
    }

    static func makeRunID() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        // Sortable by time; the random suffix keeps runs started in the same second apart.
        return formatter.string(from: Date()) + "-" + String(format: "%06x", UInt32.random(in: 0..<0x100_0000))
    }
}

/// Calls the observer from one thread at a time (progress arrives from worker threads).
final class SerializedObserver: @unchecked Sendable {
    private let lock = NSLock()
    private let observer: @Sendable (EngineEvent) -> Void

    init(_ observer: @escaping @Sendable (EngineEvent) -> Void) { self.observer = observer }

    func send(_ event: EngineEvent) {
        lock.lock()
        observer(event)
        lock.unlock()
    }
}
