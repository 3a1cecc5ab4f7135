import Foundation

/// One result slot per parallel task, so `concurrentPerform` workers can hand
/// back values or errors without sharing mutable state.
final class ResultSlots<Value>: @unchecked Sendable {
    private var slots: [Result<Value, Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Value, Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    /// The value of slot `index`, rethrowing its error.
    func get(_ index: Int) throws -> Value { try slots[index]!.get() }

    /// Like `get`, emptying the slot (so the caller holds the only reference to the value).
    func take(_ index: Int) throws -> Value {
        lock.lock()
        let result = slots[index]!
        slots[index] = nil
        lock.unlock()
        return try result.get()
    }

    /// The first error in slot order, so the reported error does not depend on scheduling.
    func firstError() -> Error? {
        for slot in slots { if case let .failure(error)? = slot { return error } }
        return nil
    }
}
