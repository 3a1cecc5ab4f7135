import Foundation

/// Results of parallel work written by index, so their order never depends on scheduling.
final class SolutionSlots<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) { slots = [Value?](repeating: nil, count: count) }

    func store(_ value: Value, at index: Int) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    /// All values; every slot must have been stored.
    var values: [Value] { slots.map { $0! } }
}

/// Runs `body(i)` for i in 0..<count on up to `threads` threads and returns the
/// results in index order (so the outcome never depends on the thread count);
/// rethrows the error of the lowest failing index.
func parallelMap<Value>(_ count: Int, threads: Int, _ body: (Int) throws -> Value) rethrows -> [Value] {
    if threads <= 1 || count <= 1 {
        return try (0..<count).map(body)
    }
    let slots = SolutionSlots<Result<Value, Error>>(count: count)
    let workers = min(threads, count)
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for i in stride(from: worker, to: count, by: workers) {
                do { slots.store(.success(try shared.value(i)), at: i) } catch { slots.store(.failure(error), at: i) }
            }
        }
    }
    return try slots.values.map { try $0.get() }
}

/// Hands a non-Sendable closure to worker threads; the caller guarantees it is safe
/// to call concurrently (each call works on its own data).
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
