/// A count per conventional split (`samples`, `limit`: `{ train: 1000, test: 200 }`), as the
/// data-loader signatures declare it; a split not given is nil.
struct SplitCounts: Decodable {
    var train: Int?
    var val: Int?
    var test: Int?

    subscript(split: String) -> Int? {
        switch split {
        case "train": return train
        case "val": return val
        case "test": return test
        default: return nil
        }
    }
}
