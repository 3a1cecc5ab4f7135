/// The message of a stage whose Slurm job did not complete: what Slurm says
/// happened, what the stage itself said, and the end of the job's output.
enum SlurmFailureMessage {
    static func make(
        jobID: SlurmJobID, status: SlurmJobStatus, resources: SlurmResources,
        stageMessage: String?, outputPath: String, outputTail: String?
    ) -> String {
        var text = "Slurm job \(jobID) " + cause(status: status, resources: resources)
        if let stageMessage, !stageMessage.isEmpty { text += ": " + stageMessage }
        if let outputTail, !outputTail.isEmpty {
            text += "\n--- last lines of \(outputPath) ---\n" + outputTail
        } else {
            text += " (no output in \(outputPath))"
        }
        return text
    }

    static func cause(status: SlurmJobStatus, resources: SlurmResources) -> String {
        switch status.state {
        case .failed:
            return "failed" + (status.exit.map { " (\($0))" } ?? "")
        case .timeout:
            let limit = resources.timeLimitSeconds.map { " of \(SlurmResources.slurmDuration(seconds: $0))" } ?? ""
            return "reached its time limit\(limit); to fix, raise the stage's `time`"
        case .outOfMemory:
            let limit = resources.memoryMegabytes.map { " of \($0) MiB" } ?? ""
            return "ran out of memory\(limit); to fix, raise the stage's `memory`"
        case .nodeFail:
            return "was lost with its node"
        case .cancelled:
            if status.reason == "DependencyNeverSatisfied" { return "was cancelled because a job it depends on failed" }
            return "was cancelled outside Assay (scancel, preemption or an administrator)"
        case .pending, .running, .completed:
            return "ended as \(status.state.rawValue)" + (status.exit.map { " (\($0))" } ?? "")
        }
    }
}
