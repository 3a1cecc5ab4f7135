/// Zeroed accumulators, one per reduction chunk, that workers fill concurrently
/// (each chunk only its own) and that are then added up in chunk order, so the
/// sum's rounding never depends on which worker ran which chunk.
final class PartialSums {
    let count: Int
    let length: Int
    private let storage: UnsafeMutablePointer<Float>

    init(count: Int, length: Int) {
        self.count = count
        self.length = length
        storage = .allocate(capacity: max(1, count * length))
        storage.initialize(repeating: 0, count: count * length)
    }

    deinit { storage.deallocate() }

    /// Chunk `index`'s accumulator (`length` floats).
    subscript(index: Int) -> UnsafeMutablePointer<Float> { storage + index * length }

    /// target[i] += chunk 0's [i], then chunk 1's, … in chunk order.
    func addInOrder(into target: UnsafeMutablePointer<Float>) {
        for chunk in 0..<count {
            let part = self[chunk]
            for i in 0..<length { target[i] += part[i] }
        }
    }
}
