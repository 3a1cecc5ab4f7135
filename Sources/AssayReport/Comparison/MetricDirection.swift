/// Which way a metric improves, so a change can be coloured as better or worse.
public enum MetricDirection: Sendable, Equatable {
    case higherIsBetter
    case lowerIsBetter
    /// No judgement (Kendall τ of an attack, a count): changes are shown uncoloured.
    case neutral

    /// A guess from the metric's name, for when the experiment does not say:
    /// losses, errors and times go down; accuracies, IoU, F1 and AUC go up.
    public static func guess(for name: String) -> MetricDirection {
        let lowered = name.lowercased()
        let lower = ["loss", "error", "err_", "_err", "time", "seconds", "latency", "ece", "perplexity"]
        let higher = ["acc", "iou", "f1", "auc", "precision", "recall", "wga", "dice", "overlap"]
        if lower.contains(where: lowered.contains) { return .lowerIsBetter }
        if higher.contains(where: lowered.contains) { return .higherIsBetter }
        return .neutral
    }

    /// The tone of a change from `before` to `after`.
    func tone(before: Double, after: Double) -> ReportCell.Tone {
        guard before.isFinite, after.isFinite, before != after else { return .normal }
        switch self {
        case .higherIsBetter: return after > before ? .good : .bad
        case .lowerIsBetter: return after < before ? .good : .bad
        case .neutral: return .normal
        }
    }
}
