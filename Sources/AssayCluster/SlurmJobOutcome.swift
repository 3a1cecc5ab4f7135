import AssayEngine
import AssaySupport
import Foundation

/// Turns an ended Slurm job into the engine's outcome of its stage: the
/// job's own outcome report when there is one, Slurm's state otherwise.
struct SlurmJobOutcome {
    var jobID: SlurmJobID
    /// The stage's key when the coordinator knows it (nil for a stage whose
    /// inputs were not computed when it was submitted).
    var key: Digest?
    var resources: SlurmResources
    var outputPath: String
    var outcomePath: String
    /// Whether this coordinator asked Slurm to cancel the job.
    var cancelRequested: Bool

    /// - Parameter visibilityGrace: how long to wait for the files of a job
    ///   Slurm says completed: on a shared filesystem another node's writes
    ///   may show here a moment after the job ended.
    func outcome(status: SlurmJobStatus, store: Store, tailLines: Int, visibilityGrace: Double = 0) -> StageOutcome {
        var report = try? StageOutcomeReport.read(from: outcomePath)
        if status.state == .completed {
            let deadline = Date().addingTimeInterval(visibilityGrace)
            while true {
                if let report { return report.outcome(in: store) }
                // No outcome file (yet): the action record in the store is what counts.
                if let key, let record = try? store.actionRecord(for: key) { return .executed(record) }
                guard Date() < deadline else { break }
                Thread.sleep(forTimeInterval: 0.2)
                report = try? StageOutcomeReport.read(from: outcomePath)
            }
        }
        if cancelRequested && (status.state == .cancelled || report?.kind == .cancelled) { return .cancelled }
        if let report, report.kind == .corruptInput { return report.outcome(in: store) }
        let stageMessage = status.state == .completed && report == nil
            ? "it wrote no outcome file and the store has no action record" + (key.map { " for key \($0.short)" } ?? "")
            : report?.message
        return .failed(SlurmFailureMessage.make(
            jobID: jobID, status: status, resources: resources, stageMessage: stageMessage,
            outputPath: outputPath, outputTail: OutputTail.read(path: outputPath, lines: tailLines)))
    }
}
