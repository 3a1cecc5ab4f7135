/// `items[safe: i]`: the element at `i`, or nil past the end (spans of list items that may be missing).
extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
