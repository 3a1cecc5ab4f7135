extension CanonicalValue {
    /// Indented JSON for people: keys sorted as in ``canonicalJSON``, scalars written canonically,
    /// lists of scalars on one line. Not for hashing (use ``canonicalJSON``).
    public var prettyString: String { pretty(indent: "") }

    private func pretty(indent: String) -> String {
        let inner = indent + "  "
        switch self {
        case .list(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .list = $0 { return false }; if case .map = $0 { return false }; return true }) {
                return "[" + items.map(\.canonicalString).joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .map(let m):
            if m.isEmpty { return "{}" }
            return "{\n" + CanonicalValue.sortedKeys(m).map { inner + CanonicalValue.string($0).canonicalString + ": " + m[$0]!.pretty(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return canonicalString
        }
    }
}
