import AssayNN

/// The per-epoch step decay a training stage asks for with `lr-step` (epochs per decay, 0: none)
/// and `lr-gamma` (factor per decay) from the base rate `lr`, nil for a constant rate. The rate
/// of epoch e (from 0) is `lr · lr-gamma^⌊e / lr-step⌋` (PyTorch's `StepLR` stepped per epoch);
/// it depends on the epoch index only, so a resumed stage continues on the same schedule.
func stepDecay(every: Int, gamma: Double, base lr: Double, stage: String) throws -> StepSchedule? {
    guard every != 0 else { return nil }
    guard every > 0 else { throw StageError(stage: stage, path: "lr-step", "`lr-step` must be a positive number of epochs, found \(every)") }
    guard gamma > 0, gamma <= 1 else { throw StageError(stage: stage, path: "lr-gamma", "`lr-gamma` must be in (0, 1], found \(gamma)") }
    return StepSchedule(base: Float(lr), stepSize: every, gamma: Float(gamma))
}
