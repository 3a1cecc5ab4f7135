import AssaySupport
import Foundation

/// Turns progress events into the lines to print, for a terminal or a log.
///
/// It never prints: `handle(_:)` returns outputs and the CLI writes them
/// (`terminalText(_:)` / `plainText(_:)` give the exact bytes). Time comes from
/// the injected clock, so both modes are testable with a fake one.
///
/// ```swift
/// var renderer = ProgressRenderer(mode: isatty(1) != 0 ? .terminal(width: columns) : .plain(interval: 30),
///                                 clock: ProgressRenderer.systemClock)
/// for output in renderer.handle(.stageProgress(progress)) { print(ProgressRenderer.terminalText(output), terminator: "") }
/// ```
///
/// - Terminal: one live line, redrawn at most every `redrawInterval` seconds,
///   with the run status, the most recently active stage, a bar, loss,
///   throughput and ETA. Stage completions become permanent lines above it.
/// - Plain: no redraws. At most one progress line per stage per `interval`
///   seconds, and the stage's last progress is always printed before it ends;
///   the run status line follows completions at the same rate and always at the end.
public struct ProgressRenderer: Sendable {
    public enum Mode: Sendable, Equatable {
        /// A live line of at most `width` columns.
        case terminal(width: Int)
        /// Periodic lines, at most one per stage per `interval` seconds.
        case plain(interval: Double)
    }

    public enum Output: Sendable, Equatable {
        /// Replace the live line with this text (terminal mode only).
        case redraw(String)
        /// A permanent line; in terminal mode the live line is cleared first.
        case line(String)
    }

    /// Seconds from an arbitrary origin; must not go backwards.
    public typealias Clock = @Sendable () -> Double

    /// The process's monotonic uptime.
    public static let systemClock: Clock = { ProcessInfo.processInfo.systemUptime }

    public let mode: Mode
    /// Minimum seconds between two terminal redraws.
    public var redrawInterval: Double = 0.1
    private let clock: Clock
    public private(set) var status = RunStatus()
    private var stages: [String: StageState] = [:]
    /// Stages that ended; a late progress report for one is ignored rather than counted as running again.
    private var ended = Set<String>()
    /// The stage the live line shows: the one that reported most recently.
    private var focus: String?
    private var lastRedraw: Double?
    private var lastStatusLine: Double?

    struct StageState: Sendable {
        var startedAt: Double
        var lastPrintedAt: Double
        var latest: StageProgress?
        var latestPrinted = true
        /// The first progress report: the rate is measured from here, leaving set-up time out.
        var baseline: (time: Double, step: Int, items: Int?)?
    }

    public init(mode: Mode, clock: @escaping Clock) {
        self.mode = mode
        self.clock = clock
    }

    public mutating func handle(_ event: ProgressEvent) -> [Output] {
        let now = clock()
        switch event {
        case .runStarted(let count):
            status = RunStatus(total: count)
            return []
        case .stageStarted(let stage, let totalSteps):
            begin(stage, at: now)
            if totalSteps != nil, stages[stage]?.latest == nil {
                stages[stage]?.latest = StageProgress(stage: stage, step: 0, totalSteps: totalSteps)
            }
            focus = stage
            switch mode {
            case .terminal: return [redraw(now: now, force: true)].compactMap { $0 }
            case .plain: return [.line("start \(stage)" + (totalSteps.map { " (\($0) steps)" } ?? ""))]
            }
        case .stageProgress(let progress):
            if ended.contains(progress.stage) { return [] }
            if stages[progress.stage] == nil { begin(progress.stage, at: now) }
            update(progress, at: now)
            focus = progress.stage
            switch mode {
            case .terminal:
                return [redraw(now: now, force: false)].compactMap { $0 }
            case .plain(let interval):
                guard let state = stages[progress.stage], ProgressRenderer.hasElapsed(interval, since: state.lastPrintedAt, now: now) else {
                    return []
                }
                return [printLatest(of: progress.stage, at: now)].compactMap { $0 }
            }
        case .stageFinished(let stage):
            return complete(stage, at: now, outcome: .done)
        case .stageCached(let stage):
            return complete(stage, at: now, outcome: .cached)
        case .stageFailed(let stage, let message):
            return complete(stage, at: now, outcome: .failed(message))
        case .runFinished:
            focus = nil
            return [.line(status.line)]
        }
    }

    private enum Outcome { case done, cached, failed(String) }

    private mutating func begin(_ stage: String, at now: Double) {
        guard stages[stage] == nil else { return }
        stages[stage] = StageState(startedAt: now, lastPrintedAt: now)
        status.running += 1
    }

    private mutating func update(_ progress: StageProgress, at now: Double) {
        guard var state = stages[progress.stage] else { return }
        if state.baseline == nil { state.baseline = (now, progress.step, progress.items) }
        state.latest = progress
        state.latestPrinted = false
        stages[progress.stage] = state
    }

    /// The measured rate since the stage's first report; nil until time and work have advanced.
    func rate(of stage: String, at now: Double) -> ProgressLine.Rate? {
        guard let state = stages[stage], let baseline = state.baseline, let latest = state.latest else { return nil }
        let elapsed = now - baseline.time
        let steps = latest.step - baseline.step
        guard elapsed > 0, steps > 0 else { return nil }
        var itemsPerSecond: Double?
        if let items = latest.items, let base = baseline.items, items > base { itemsPerSecond = Double(items - base) / elapsed }
        return ProgressLine.Rate(stepsPerSecond: Double(steps) / elapsed, itemsPerSecond: itemsPerSecond)
    }

    private mutating func printLatest(of stage: String, at now: Double) -> Output? {
        guard var state = stages[stage], let latest = state.latest, !state.latestPrinted else { return nil }
        state.latestPrinted = true
        state.lastPrintedAt = now
        stages[stage] = state
        return .line(ProgressLine.plain(latest, rate: rate(of: stage, at: now)))
    }

    private mutating func complete(_ stage: String, at now: Double, outcome: Outcome) -> [Output] {
        var outputs: [Output] = []
        let state = stages[stage]
        if state != nil { status.running -= 1 }
        let elapsed = state.map { DurationText.format(now - $0.startedAt) } ?? ""
        let terminal: Bool
        if case .terminal = mode { terminal = true } else { terminal = false }
        // "Always the last": in a log, a suppressed final report is printed before the stage ends.
        if !terminal, let last = printLatest(of: stage, at: now) { outputs.append(last) }
        switch outcome {
        case .done:
            status.done += 1
            let loss = state?.latest?.loss.map { ", loss " + ProgressLine.lossText($0) } ?? ""
            outputs.append(.line((terminal ? "✓ " : "done ") + stage + " in " + elapsed + loss))
        case .cached:
            status.cached += 1
            outputs.append(.line((terminal ? "= " : "cached ") + stage))
        case .failed(let message):
            status.failed += 1
            outputs.append(.line((terminal ? "✗ " : "FAILED ") + stage + (elapsed.isEmpty ? "" : " after " + elapsed) + ": " + message))
        }
        stages[stage] = nil
        ended.insert(stage)
        if focus == stage { focus = stages.min { ($0.value.startedAt, $0.key) < ($1.value.startedAt, $1.key) }?.key }
        switch mode {
        case .terminal:
            if let live = redraw(now: now, force: true) { outputs.append(live) }
        case .plain(let interval):
            if lastStatusLine.map({ ProgressRenderer.hasElapsed(interval, since: $0, now: now) }) ?? true {
                lastStatusLine = now
                outputs.append(.line(status.line))
            }
        }
        return outputs
    }

    /// The live line, if the redraw interval has passed (or `force`).
    private mutating func redraw(now: Double, force: Bool) -> Output? {
        guard case .terminal(let width) = mode else { return nil }
        if !force, let lastRedraw, !ProgressRenderer.hasElapsed(redrawInterval, since: lastRedraw, now: now) { return nil }
        lastRedraw = now
        guard let focus, let state = stages[focus] else {
            return .redraw(ProgressLine.truncate(status.compact, to: width))
        }
        guard let latest = state.latest else {
            let elapsed = DurationText.format(now - state.startedAt)
            return .redraw(ProgressLine.truncate("\(status.compact) \(focus)  \(elapsed)", to: width))
        }
        return .redraw(ProgressLine.live(latest, rate: rate(of: focus, at: now), status: status, width: width))
    }

    /// Whether `interval` seconds have passed, forgiving float rounding in clock arithmetic.
    static func hasElapsed(_ interval: Double, since start: Double, now: Double) -> Bool {
        now - start >= interval - 1e-9
    }

    /// Bytes for a terminal: carriage return and erase-line before each output, newline after permanent lines.
    public static func terminalText(_ output: Output) -> String {
        switch output {
        case .redraw(let text): return "\r\u{1B}[2K" + text
        case .line(let text): return "\r\u{1B}[2K" + text + "\n"
        }
    }

    /// Bytes for a log: permanent lines only (a redraw should not occur in plain mode and is written as a line).
    public static func plainText(_ output: Output) -> String {
        switch output {
        case .redraw(let text), .line(let text): return text + "\n"
        }
    }
}
