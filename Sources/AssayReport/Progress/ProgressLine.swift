import AssaySupport

/// The text of one stage's progress: pure functions of the progress, its
/// measured rate and a width.
public enum ProgressLine {
    /// Measured speed of a stage, in steps and (when counted) items per second.
    public struct Rate: Sendable, Equatable {
        public var stepsPerSecond: Double
        public var itemsPerSecond: Double?

        public init(stepsPerSecond: Double, itemsPerSecond: Double? = nil) {
            self.stepsPerSecond = stepsPerSecond
            self.itemsPerSecond = itemsPerSecond
        }
    }

    /// The fields shared by both modes: epoch, step, loss, throughput, ETA.
    static func fields(_ progress: StageProgress, rate: Rate?, includePercent: Bool) -> [String] {
        var fields: [String] = []
        if let epoch = progress.epoch {
            fields.append(progress.epochs.map { "epoch \(epoch)/\($0)" } ?? "epoch \(epoch)")
        }
        var step = progress.totalSteps.map { "step \(progress.step)/\($0)" } ?? "step \(progress.step)"
        if includePercent, let fraction = progress.fraction { step += " (\(Int((fraction * 100).rounded(.down)))%)" }
        fields.append(step)
        if let loss = progress.loss { fields.append("loss " + lossText(loss)) }
        if let rate {
            if let items = rate.itemsPerSecond {
                fields.append(rateText(items) + " \(progress.itemUnit)/s")
            } else {
                fields.append(rateText(rate.stepsPerSecond) + " it/s")
            }
            if let total = progress.totalSteps, rate.stepsPerSecond > 0, progress.step < total {
                fields.append("ETA " + DurationText.format(Double(total - progress.step) / rate.stepsPerSecond))
            }
        }
        return fields
    }

    /// One plain log line: `train-erm: epoch 3/10, step 120/500 (24%), loss 0.4321, 1.2k ex/s, ETA 1m20s`.
    public static func plain(_ progress: StageProgress, rate: Rate?) -> String {
        "\(progress.stage): " + fields(progress, rate: rate, includePercent: true).joined(separator: ", ")
    }

    /// The live terminal line, at most `width` characters: the status prefix, the
    /// stage, a bar when there is room, then the fields; truncated with `…`.
    public static func live(_ progress: StageProgress, rate: Rate?, status: RunStatus, width: Int) -> String {
        let head = "\(status.compact) \(progress.stage)"
        let tail = fields(progress, rate: rate, includePercent: false).joined(separator: "  ")
        var line = head
        if let fraction = progress.fraction {
            let percent = "\(Int((fraction * 100).rounded(.down)))%"
            let room = width - head.count - tail.count - percent.count - 5
            if room >= 10 {
                line += " " + bar(fraction, width: min(room, 30)) + " " + percent
            } else {
                line += " " + percent
            }
        }
        if !tail.isEmpty { line += "  " + tail }
        return truncate(line, to: width)
    }

    /// `█████░░░░░`: filled in proportion to `fraction`.
    public static func bar(_ fraction: Double, width: Int) -> String {
        let cells = max(width, 1)
        let clamped = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let filled = Int((clamped * Double(cells)).rounded(.down))
        return String(repeating: "█", count: filled) + String(repeating: "░", count: cells - filled)
    }

    static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        return text.count <= width ? text : String(text.prefix(max(width - 1, 0))) + "…"
    }

    /// Four significant digits, scientific when tiny (late-training losses).
    static func lossText(_ loss: Double) -> String {
        guard loss.isFinite else { return loss.isNaN ? "nan" : (loss > 0 ? "inf" : "-inf") }
        if loss != 0 && abs(loss) < 1e-3 { return NumberFormat.scientificText(loss, decimals: 2) }
        return NumberFormat.fixedText(loss, decimals: 4)
    }

    /// `0.52`, `35.0`, `812`, `1.2k`, `3.4M`.
    static func rateText(_ rate: Double) -> String {
        guard rate.isFinite, rate >= 0 else { return "?" }
        if rate < 10 { return NumberFormat.fixedText(rate, decimals: 2) }
        if rate < 100 { return NumberFormat.fixedText(rate, decimals: 1) }
        if rate < 1000 { return NumberFormat.fixedText(rate, decimals: 0) }
        if rate < 1_000_000 { return NumberFormat.fixedText(rate / 1000, decimals: 1) + "k" }
        return NumberFormat.fixedText(rate / 1_000_000, decimals: 1) + "M"
    }
}
