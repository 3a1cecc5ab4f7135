import AssaySupport
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

/// A generator owned by one task (value semantics keep tasks independent).
struct SeededRandomBox {
    var generator: SeededRandom
    init(seed: UInt64, stream: UInt64) { generator = SeededRandom(seed: seed, stream: stream) }
}

/// Runs `body(i)` for i in 0..<count on up to `threads` threads; results are returned in index order.
func parallelMap<Value>(_ count: Int, threads: Int, _ body: (Int) throws -> Value) rethrows -> [Value] {
    if threads <= 1 || count <= 1 {
        return try (0..<count).map(body)
    }
    let slots = SolutionSlots<Result<Value, Error>>(count: count)
    let workers = min(threads, count)
    try withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < count {
                do { slots.store(.success(try box.value(i)), at: i) } catch { slots.store(.failure(error), at: i) }
                i += workers
            }
        }
        _ = try slots.values.map { try $0.get() }
    }
    return try slots.values.map { try $0.get() }
}

private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
