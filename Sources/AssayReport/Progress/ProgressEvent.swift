import AssaySupport

/// Something that happened during a run, as reported to a `ProgressRenderer`.
public enum ProgressEvent: Sendable, Equatable {
    /// The plan has this many stages (cached ones included).
    case runStarted(stageCount: Int)
    case stageStarted(stage: String, totalSteps: Int?)
    case stageProgress(StageProgress)
    case stageFinished(stage: String)
    /// The stage's key was in the cache: nothing ran.
    case stageCached(stage: String)
    case stageFailed(stage: String, message: String)
    case runFinished
}
