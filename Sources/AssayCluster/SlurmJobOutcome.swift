import AssayEngine
import AssaySupport

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

    func outcome(status: SlurmJobStatus, store: Store, tailLines: Int) -> StageOutcome {
        let report = try? StageOutcomeReport.read(from: outcomePath)
        if status.state == .completed {
            if let report { return report.outcome(in: store) }
            // The job succeeded but its outcome file is not visible (yet):
            // the action record in the store is what counts.
            if let key, let record = try? store.actionRecord(for: key) { return .executed(record) }
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
