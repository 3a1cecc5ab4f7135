import AssaySupport

/// Where artifacts came from and where they went: the actions (stage executions) that produced
/// them, back through every input to the sources, and every later action that read them.
///
/// Built from the history's stage rows (which run produced which key, and its outputs) and the
/// store's action records (each key's recipe: operator, parameters, input digests, environment),
/// so it answers for anything this store ran, imported or fetched from a remote cache.
public struct Lineage: Sendable {
    /// One action: a stage key, its record, and the run that produced it.
    public struct Action: Sendable {
        public var key: Digest
        /// The stage name as the history recorded it (the record's own for remote and imported keys).
        public var stage: String
        public var point: String
        /// The first run that executed this key, else the first that recorded it as a hit
        /// (imported or fetched from a remote cache).
        public var runID: String
        public var executedInRun: Bool
        /// Nil when the record was collected (`assay gc`): outputs come from the history then.
        public var record: ActionRecord?
        public var outputs: [String: Digest]
        /// Input slots in order, with the action that produced each input (nil: unknown here).
        public var inputs: [Input]
    }

    public struct Input: Sendable, Equatable {
        public var slot: String
        public var digest: Digest
        public var producer: Digest?
    }

    /// The artifacts asked about.
    public var subjects: [Digest]
    /// The actions that produced the subjects and, recursively, their inputs: producers first.
    public var upstream: [Action]
    /// Every later action that read a subject or something made from one, in the order they ran.
    public var downstream: [Action]
    /// The run that produced the first subject: its experiment file, digest and git commit.
    public var run: RunSummary?
}

/// What lineage queries read: every keyed stage row of the history, indexed by key and by
/// output digest, and action records loaded from the store as needed.
public final class LineageIndex {
    let store: Store
    let history: History
    private var rows: [KeyedStageRow] = []
    /// Per key: the index of the row that represents it (first execution, else first hit).
    private var representative: [Digest: Int] = [:]
    /// Per artifact: the key that produced it.
    private var producer: [Digest: Digest] = [:]
    private var records: [Digest: ActionRecord?] = [:]
    private var consumersByDigest: [Digest: [Digest]]?

    public init(store: Store, history: History) throws {
        self.store = store
        self.history = history
        rows = try history.keyedStageRows()
        for (i, row) in rows.enumerated() {
            if let j = representative[row.key] {
                if row.executed && !rows[j].executed { representative[row.key] = i }
            } else {
                representative[row.key] = i
            }
        }
        for (key, i) in representative.sorted(by: { $0.value < $1.value }) {
            for digest in rows[i].outputs.values where producer[digest] == nil { producer[digest] = key }
        }
    }

    /// A reference the way a user types it, resolved to artifacts: an artifact digest (or a
    /// unique prefix of at least 6 hex digits), a stage key (its outputs), a run id (`last`,
    /// prefixes: all its stages' outputs), or a stage name (its latest result).
    public func resolve(_ reference: String) throws -> [Digest] {
        let lowered = reference.lowercased()
        if lowered.count >= 6, lowered.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) {
            let artifacts = Set(producer.keys.filter { $0.hex.hasPrefix(lowered) })
            let keys = Set(representative.keys.filter { $0.hex.hasPrefix(lowered) })
            if artifacts.count + keys.count > 1 { throw EngineError.ambiguousReference(reference) }
            if let digest = artifacts.first { return [digest] }
            if let key = keys.first { return outputs(ofRow: representative[key]!) }
        }
        if let run = try? history.resolveRunID(reference) {
            let digests = rows.filter { $0.runID == run }.flatMap { $0.outputs.sorted { $0.key < $1.key }.map(\.value) }
            var seen = Set<Digest>()
            return digests.filter { seen.insert($0).inserted }
        }
        if let latest = rows.lastIndex(where: { $0.stage == reference }) { return outputs(ofRow: latest) }
        throw EngineError.unknownLineageReference(reference)
    }

    private func outputs(ofRow i: Int) -> [Digest] { rows[i].outputs.sorted { $0.key < $1.key }.map(\.value) }

    /// The lineage of `subjects`: their producers back to the sources, and what consumed them.
    public func lineage(of subjects: [Digest]) throws -> Lineage {
        var upstream: [Lineage.Action] = []
        var visited = Set<Digest>()
        // Depth-first, emitting an action after its producers: sources come first.
        func visit(_ key: Digest) {
            guard visited.insert(key).inserted, let action = action(for: key) else { return }
            for input in action.inputs { if let p = input.producer { visit(p) } }
            upstream.append(action)
        }
        for digest in subjects { if let key = producer[digest] { visit(key) } }

        var downstreamKeys = Set<Digest>()
        var frontier = subjects
        while let digest = frontier.popLast() {
            for key in consumers(of: digest) where downstreamKeys.insert(key).inserted && !visited.contains(key) {
                frontier.append(contentsOf: rows[representative[key]!].outputs.values)
            }
        }
        let downstream = downstreamKeys.subtracting(visited)
            .sorted { representative[$0]! < representative[$1]! }
            .compactMap { action(for: $0) }

        var run: RunSummary?
        if let first = subjects.first, let key = producer[first], let i = representative[key] {
            // The one run, not every run read to find it; a result fetched from a remote cache
            // may have been produced by a run this history never saw.
            do { run = try history.run(rows[i].runID).summary } catch EngineError.unknownRun { run = nil }
        }
        return Lineage(subjects: subjects, upstream: upstream, downstream: downstream, run: run)
    }

    private func record(_ key: Digest) -> ActionRecord? {
        if let known = records[key] { return known }
        let loaded = try? store.actionRecord(for: key)
        records[key] = .some(loaded ?? nil)
        return loaded ?? nil
    }

    private func action(for key: Digest) -> Lineage.Action? {
        guard let i = representative[key] else { return nil }
        let row = rows[i]
        let record = record(key)
        let inputs = (record?.inputs ?? []).map { Lineage.Input(slot: $0.slot, digest: $0.digest, producer: producer[$0.digest]) }
        return Lineage.Action(
            key: key, stage: row.stage, point: row.point, runID: row.runID, executedInRun: row.executed, record: record,
            outputs: row.outputs, inputs: inputs)
    }

    /// Keys whose recipe reads `digest` (built once, from every recorded key's action record).
    private func consumers(of digest: Digest) -> [Digest] {
        if consumersByDigest == nil {
            var index: [Digest: [Digest]] = [:]
            for (key, _) in representative.sorted(by: { $0.value < $1.value }) {
                for input in record(key)?.inputs ?? [] { index[input.digest, default: []].append(key) }
            }
            consumersByDigest = index
        }
        return consumersByDigest![digest] ?? []
    }
}
