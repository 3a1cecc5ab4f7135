import AssayEngine
import AssayReport
import AssaySupport
import Foundation

/// Turns engine events into progress output: a live line on a terminal, periodic plain lines
/// in logs (CI, Slurm).
final class RunProgress: @unchecked Sendable {
    private var renderer: ProgressRenderer
    private let terminal: Bool
    private let lock = NSLock()
    private let showPoints: Bool
    /// Stages started and not yet ended.
    private var started = Set<String>()
    /// Lines for cache hits, written together: a no-op run of 10,000 stages would otherwise
    /// make 10,000 writes to standard error.
    private var pending = ""

    init(showPoints: Bool) {
        terminal = Console.isTerminal
        renderer = ProgressRenderer(mode: terminal ? .terminal(width: Console.width) : .plain(interval: 10), clock: ProgressRenderer.systemClock)
        self.showPoints = showPoints
    }

    func handle(_ event: EngineEvent) {
        lock.lock()
        defer { lock.unlock() }
        // Warnings are lines of their own (after the hits written so far); the stage's start is
        // reported when it is dispatched.
        switch event {
        case .remoteNotice, .objectCorrupt, .recordDamaged, .historyRebuilt:
            flush()
        case .stageProgress(_, _, let progress) where progress.isNotice:
            flush()
        default:
            break
        }
        switch event {
        case .remoteNotice(_, _, let notice):
            switch notice {
            case .unavailable(let message), .corrupt(let message), .conflict(let message):
                Console.progress(line("warning: " + message))
            }
            return
        case .objectCorrupt(let point, let stage, let digest, let path):
            Console.progress(line("warning: cached object \(digest.short) (used by `\(name(point, stage))`) was corrupt (\(path)); it was removed and is rebuilt"))
            return
        case .recordDamaged(let point, let stage, let path, let problem, let removed):
            let outcome = removed ? "it was removed and the stage runs again" : "it was left in place and the stage runs again"
            Console.progress(line("warning: the cache record of `\(name(point, stage))` was refused: \(problem) (\(path)); \(outcome)"))
            return
        case .historyRebuilt(let recovery):
            Console.progress(line("warning: \(recovery)"))
            return
        case .stageStarted(let point, let stage, _):
            // A stage whose input had to be rebuilt is dispatched again: it started once.
            guard started.insert(name(point, stage)).inserted else { return }
        case .stageFinished(let point, let stage, _, _), .stageFailed(let point, let stage, _), .stageHit(let point, let stage, _):
            started.remove(name(point, stage))
        case .stageProgress(let point, let stage, let progress) where progress.isNotice:
            Console.progress(line("\(name(point, stage)): \(progress.message)"))
        default:
            break
        }
        guard let translated = translate(event) else { return }
        for output in renderer.handle(translated) {
            pending += terminal ? ProgressRenderer.terminalText(output) : ProgressRenderer.plainText(output)
        }
        switch event {
        case .stageHit, .stageShared:
            if pending.utf8.count >= 1 << 16 { flush() }
        default:
            flush()
        }
    }

    deinit { flush() }

    private func flush() {
        guard !pending.isEmpty else { return }
        Console.progress(pending)
        pending = ""
    }

    private func line(_ text: String) -> String {
        terminal ? ProgressRenderer.terminalText(.line(text)) : ProgressRenderer.plainText(.line(text))
    }

    private func name(_ point: String, _ stage: String) -> String {
        showPoints && !point.isEmpty ? "\(stage) [\(point)]" : stage
    }

    /// The renderer's event; nil for the warnings `handle` prints itself.
    private func translate(_ event: EngineEvent) -> ProgressEvent? {
        switch event {
        case .runStarted(_, let stages): return .runStarted(stageCount: stages)
        case .stageHit(let point, let stage, _): return .stageCached(stage: name(point, stage))
        // A stage shared with another point is reported as a hit when its owner completes.
        case .stageShared: return nil
        case .stageStarted(let point, let stage, _): return .stageStarted(stage: name(point, stage), totalSteps: nil)
        case .stageWaitingForLock(let point, let stage, _):
            return .stageProgress(StageProgress(stage: name(point, stage) + " (waiting for another run)", step: 0))
        case .stageProgress(let point, let stage, var progress):
            progress.stage = name(point, stage)
            return .stageProgress(progress)
        case .stageFinished(let point, let stage, _, _): return .stageFinished(stage: name(point, stage))
        case .stageFailed(let point, let stage, let message): return .stageFailed(stage: name(point, stage), message: message)
        case .stageSkipped(let point, let stage, let because):
            return .stageFailed(stage: name(point, stage), message: "skipped: \(because) failed")
        case .runFinished: return .runFinished
        case .objectCorrupt, .recordDamaged, .remoteNotice, .historyRebuilt: return nil
        }
    }
}

/// Ctrl-C asks the engine to stop cleanly (completed stages stay cached); a second Ctrl-C exits at once.
final class InterruptHandler {
    private var sources: [DispatchSourceSignal] = []
    private var interrupts = 0

    init(onInterrupt: @escaping () -> Void, onSecondInterrupt: @escaping () -> Void = {}) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.interrupts += 1
                if self.interrupts > 1 {
                    onSecondInterrupt()
                    exit(130)
                }
                Console.error("\nstopping: finishing nothing new; completed stages stay cached (Ctrl-C again to quit now)")
                onInterrupt()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
