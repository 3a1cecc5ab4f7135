import AssaySupport
import Foundation

/// Re-runs recorded stages from their action records in a scratch store and compares the
/// outputs with the recorded digests: the same recipe must give the same bytes.
///
/// A stage is re-executed exactly as a Slurm job runs one (`StageRunner` on a `StageJob`), from
/// the recipe its record carries — operator, version, parameters and input digests — with its
/// inputs copied (and verified) from the store into a fresh scratch store, so no checkpoint or
/// cached result of the real store is used and nothing in it changes.
public enum DeterminismAudit {
    public enum Verdict: Sendable, Equatable {
        case equal
        /// The outputs whose bytes differ from the recorded ones.
        case different(outputs: [String])
        case failed(String)
    }

    /// `count` records, a fixed sample: the first in key order (keys are hashes, so this is
    /// an arbitrary but repeatable choice). Unreadable records are left to `Store.verify`.
    public static func sample(_ count: Int, from store: Store) -> [ActionRecord] {
        Array(store.allActionRecords().prefix(count))
    }

    /// The latest record (by creation time) of each named stage, and the names with none.
    public static func latestRecords(of stages: [String], in store: Store) -> (found: [ActionRecord], unknown: [String]) {
        var latest: [String: ActionRecord] = [:]
        let wanted = Set(stages)
        for record in store.allActionRecords() where wanted.contains(record.stage) {
            if let known = latest[record.stage], known.createdAt >= record.createdAt { continue }
            latest[record.stage] = record
        }
        return (stages.compactMap { latest[$0] }, stages.filter { latest[$0] == nil })
    }

    /// Which stage output made each object, from the action records: an operator may read the
    /// name of the output bound to a slot (a data split's name), which the record of the
    /// consumer does not hold.
    public static func producers(in store: Store) -> [Digest: (stage: String, output: String)] {
        var out: [Digest: (stage: String, output: String)] = [:]
        for record in store.allActionRecords() {
            for o in record.outputs where out[o.digest] == nil { out[o.digest] = (record.stage, o.name) }
        }
        return out
    }

    /// Re-executes the stage of `record` in a scratch store under `scratch` (removed afterwards).
    /// - Parameters:
    ///   - locals: the machine-local facts the operator may need (see `PlanNode.locals`).
    ///   - producers: `producers(in:)`, to bind each input as the plan bound it.
    public static func reexecute(
        _ record: ActionRecord, from store: Store, operators: [String: any StageOperator], locals: [String: String],
        producers: [Digest: (stage: String, output: String)], threads: Int, scratch: URL,
        progress: @escaping @Sendable (StageProgress) -> Void = { _ in }
    ) -> Verdict {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy: Store
        do { copy = try Store(root: scratch, durable: false) } catch { return .failed("cannot make a scratch store: \(error)") }
        for input in record.inputs {
            let temporary = copy.temporaryPath + "/" + FileSystem.uniqueName(prefix: "input")
            guard store.hasObject(input.digest) else {
                return .failed("its input `\(input.slot)` (object \(input.digest.short)) is not in the store")
            }
            do {
                try FileManager.default.copyItem(atPath: store.objectPath(input.digest), toPath: temporary)
                guard try copy.install(fileAt: temporary, as: input.digest) else {
                    return .failed("its input `\(input.slot)` (object \(input.digest.short)) is corrupt; run `assay verify` without --reexecute")
                }
            } catch {
                return .failed("cannot copy its input `\(input.slot)`: \(error)")
            }
        }
        let node = PlanNode(
            id: record.stage, operatorName: record.operatorName, operatorVersion: record.operatorVersion,
            parameters: record.parameters,
            inputs: record.inputs.map { input in
                let producer = producers[input.digest]
                return PlanInput(slot: input.slot, node: producer?.stage ?? "input", output: producer?.output ?? input.slot)
            },
            outputs: record.outputs.map(\.name), locals: locals)
        let job = StageJob(
            node: node, key: record.key, inputs: Dictionary(uniqueKeysWithValues: record.inputs.map { ($0.slot, $0.digest) }),
            threads: threads, force: true)
        let outcome = StageRunner(store: copy, operators: operators).execute(job, events: { event in
            if case .progress(let p) = event { progress(p) }
        })
        switch outcome {
        case .executed(let again):
            let recorded = Dictionary(uniqueKeysWithValues: record.outputs.map { ($0.name, $0.digest) })
            let differing = again.outputs.filter { recorded[$0.name] != $0.digest }.map(\.name)
            return differing.isEmpty ? .equal : .different(outputs: differing)
        case .failed(let message):
            return .failed(message)
        case .cancelled:
            return .failed("cancelled")
        case .corruptInput(let slot, let digest):
            return .failed("its input `\(slot)` (object \(digest.short)) is missing or corrupt")
        case .foundCached, .fetchedRemote:
            return .failed("the scratch store unexpectedly had a result")
        }
    }
}

extension Store {
    /// Every readable action record, in key order.
    func allActionRecords() -> [ActionRecord] {
        var out: [ActionRecord] = []
        for shard in FileSystem.contents(of: actionsPath).sorted() {
            for name in FileSystem.contents(of: actionsPath + "/" + shard).sorted() {
                guard let key = Digest(hex: name), let record = try? actionRecord(for: key) else { continue }
                out.append(record)
            }
        }
        return out
    }
}
