/// Suggestions for misspelt names.
public enum EditDistance {
    /// The Levenshtein distance (insertions, deletions, substitutions, each costing 1).
    public static func between(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// The closest candidate within a small distance (at most 2, and less than a third of the name's
    /// length plus one), or nil: a far-off guess misleads more than no guess.
    public static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        let limit = Swift.min(2, name.count / 3 + 1)
        var best: (String, Int)?
        for candidate in candidates where candidate != name {
            let d = between(name.lowercased(), candidate.lowercased())
            if d <= limit, best == nil || d < best!.1 || (d == best!.1 && candidate < best!.0) { best = (candidate, d) }
        }
        return best?.0
    }
}
