import AssaySupport

/// Declarations that refer to each other by name (data sets derived `from:` others, stages using
/// other stages' outputs) are checked on first use, each once; a name met again while it is being
/// checked closes a cycle, and a chain deeper than ``Elaborator/maxNesting`` is stopped.
/// The section's checker says how to check one entry and how to word the two problems.
final class CheckedOnFirstUse<Info> {
    enum Problem {
        /// The names around the cycle, the first repeated at the end.
        case cycle([String])
        case tooDeep
    }

    private(set) var found: [String: Info] = [:]
    private(set) var failed: Set<String> = []
    /// Entries being checked, outermost first.
    private var visiting: [String] = []

    func reserveCapacity(_ n: Int) { found.reserveCapacity(n) }

    /// The checked `name`: remembered, or checked now by `check` (nil when it failed; its problems are reported).
    func info(_ name: String, report: (Problem) -> Void, check: () -> Info?) -> Info? {
        if let info = found[name] { return info }
        if failed.contains(name) { return nil }
        if let start = visiting.firstIndex(of: name) {
            report(.cycle(Array(visiting[start...]) + [name]))
            return nil
        }
        if visiting.count >= Elaborator.maxNesting {
            report(.tooDeep)
            return nil
        }
        visiting.append(name)
        defer { visiting.removeLast() }
        guard let info = check() else {
            failed.insert(name)
            return nil
        }
        found[name] = info
        return info
    }
}
