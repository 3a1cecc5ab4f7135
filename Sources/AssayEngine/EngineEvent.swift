import AssaySupport

/// What the engine reports while it runs; the CLI turns these into progress lines.
/// `point` is the sweep point ("" for a single plan).
public enum EngineEvent: Sendable, Equatable {
    case runStarted(runID: String, stages: Int)
    /// The history database was damaged (or emptied) and was rebuilt before the run began.
    case historyRebuilt(HistoryRecovery)
    case stageHit(point: String, stage: String, key: Digest)
    /// Another point of the sweep computes the same key; this stage will reuse its result.
    case stageShared(point: String, stage: String, key: Digest, withPoint: String)
    case stageStarted(point: String, stage: String, key: Digest)
    case stageWaitingForLock(point: String, stage: String, key: Digest)
    case stageProgress(point: String, stage: String, progress: StageProgress)
    case stageFinished(point: String, stage: String, key: Digest, duration: Double)
    case stageFailed(point: String, stage: String, message: String)
    case stageSkipped(point: String, stage: String, because: String)
    /// A cached object did not match its digest (or vanished); it was removed and is rebuilt.
    case objectCorrupt(point: String, stage: String, digest: Digest, path: String)
    /// The stage's action record could not be used (bad checksum or format, or unreadable): it is
    /// never served, and the stage executes again. `removed`: the record was malformed and was
    /// deleted (not in a dry run, and not when it merely could not be read). `problem` says what was wrong.
    case recordDamaged(point: String, stage: String, path: String, problem: String, removed: Bool)
    /// The remote cache was unavailable (sent once per run), returned damaged data, or holds a
    /// different result for a key computed here.
    case remoteNotice(point: String, stage: String, notice: RemoteCacheNotice)
    case runFinished(runID: String, status: RunStatus)
}
