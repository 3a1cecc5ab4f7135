/// A data set's named splits in a fixed order (e.g. `train`, `val`, `test`).
public struct DatasetSplits: Hashable, Sendable {
    public private(set) var names: [String] = []
    private var sets: [String: ImageDataset] = [:]

    public init() {}

    public init(_ pairs: [(String, ImageDataset)]) {
        for (name, set) in pairs { self[name] = set }
    }

    /// Adds a split at the end, or replaces one in place.
    public subscript(name: String) -> ImageDataset? {
        get { sets[name] }
        set {
            if newValue == nil {
                names.removeAll { $0 == name }
            } else if sets[name] == nil {
                names.append(name)
            }
            sets[name] = newValue
        }
    }

    /// The split called `name`, or an error listing the splits there are.
    public func split(_ name: String) throws -> ImageDataset {
        guard let set = sets[name] else { throw DataError.unknownSplit(name: name, known: names) }
        return set
    }

    /// The splits in order.
    public var all: [(name: String, dataset: ImageDataset)] { names.map { ($0, sets[$0]!) } }

    /// Applies `transform` to every split, keeping the order.
    public func map(_ transform: (_ name: String, _ dataset: ImageDataset) throws -> ImageDataset) rethrows -> DatasetSplits {
        var result = DatasetSplits()
        for name in names { result[name] = try transform(name, sets[name]!) }
        return result
    }
}
