import ArgumentParser
import AssayEngine
import AssayPlanner
import AssayStages
import AssaySupport
import Foundation

/// `assay verify --reexecute N|STAGE…`: re-runs recorded stages in a scratch store and prints,
/// per stage, whether the outputs equal the recorded ones.
enum Reexecution {
    /// Returns true when a stage differed or could not be re-run.
    static func run(_ selection: [String], store: Store, threads: Int?) throws -> Bool {
        let records: [ActionRecord]
        if selection.count == 1, let count = Int(selection[0]) {
            records = DeterminismAudit.sample(count, from: store)
        } else {
            let (found, unknown) = DeterminismAudit.latestRecords(of: selection, in: store)
            if !unknown.isEmpty {
                Console.error("error: no cache record of \(unknown.map { "`\($0)`" }.joined(separator: ", ")) in \(store.root.path)\n  = help: `assay log` and `assay show last` list the stages recorded")
                throw ExitCode(1)
            }
            records = found
        }
        let history = try? store.openHistoryReporting()
        let planner = Planner(sources: SourceDigests(cacheFile: nil))
        let producers = DeterminismAudit.producers(in: store)
        let threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        print("re-executing \(records.count) recorded stage\(records.count == 1 ? "" : "s") in a scratch store (\(threads) thread\(threads == 1 ? "" : "s") each):")
        var bad = 0
        for record in records {
            // Paths in parameters are relative to the experiment that ran the stage.
            let experiment = (try? history?.experimentPath(recording: record.key)) ?? nil
            let directory = experiment.map { ($0 as NSString).deletingLastPathComponent } ?? FileManager.default.currentDirectoryPath
            let locals = planner.locals(parameters: record.parameters, experimentDirectory: directory)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assay-reexecute-\(UUID().uuidString)")
            let started = Date()
            let verdict = DeterminismAudit.reexecute(
                record, from: store, operators: OperatorCatalog.standard, locals: locals, producers: producers, threads: threads, scratch: scratch)
            let took = Format.duration(Date().timeIntervalSince(started))
            let label = "  `\(record.stage)` (\(record.operatorName), key \(record.key.short))"
            switch verdict {
            case .equal:
                print("\(label): equal — \(record.outputs.count) output\(record.outputs.count == 1 ? "" : "s") identical to the recorded bytes (\(took))")
            case .different(let outputs):
                bad += 1
                print("\(label): DIFFERENT — \(outputs.map { "`\($0)`" }.joined(separator: ", ")) differ from the recorded bytes (\(took))")
            case .failed(let message):
                bad += 1
                print("\(label): could not re-execute: \(message)")
            }
        }
        print(bad == 0 ? "determinism: every re-executed stage gave the recorded bytes"
                       : "determinism: \(bad) of \(records.count) stage\(records.count == 1 ? "" : "s") did not give the recorded bytes")
        return bad > 0
    }
}
