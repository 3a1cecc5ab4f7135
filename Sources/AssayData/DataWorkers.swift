import Foundation

/// How many threads the data library's parallel loops (image and label decoding) use. Scoped
/// like the tensor engine's workers (`withWorkers(n) { … }`, a task-local value), so a stage run
/// with `--threads 1` decodes on one thread and two stages side by side keep their own counts.
/// The count changes speed only: every item fills its own slot.
public enum DataWorkers {
    @TaskLocal private static var scoped: Int?

    /// The innermost scope's count, else the machine's processors.
    public static var count: Int { scoped ?? ProcessInfo.processInfo.activeProcessorCount }

    public static func withWorkers<R>(_ workers: Int, _ body: () throws -> R) rethrows -> R {
        precondition(workers >= 1, "DataWorkers.withWorkers needs at least 1 worker, got \(workers)")
        return try $scoped.withValue(workers, operation: body)
    }

    /// Calls `body(i)` for every i in `0..<items` on up to `count` threads (worker w takes items
    /// w, w + parts, …; with one worker, all on the calling thread, in order).
    static func forEach(_ items: Int, _ body: (Int) -> Void) {
        let parts = max(1, min(count, items))
        guard parts > 1 else {
            for i in 0 ..< items { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { worker in
            for i in stride(from: worker, to: items, by: parts) { body(i) }
        }
    }
}
