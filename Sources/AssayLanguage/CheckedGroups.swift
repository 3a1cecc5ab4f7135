import AssaySupport

/// What ``GroupChecker`` returns: the group splits that checked (the stage computing each and the
/// data set it groups), those that did not, and their implicit `group-split` stages.
struct CheckedGroups {
    var groups: [String: (stage: String, dataset: String)]
    var failed: Set<String>
    var instances: [StageInstance]

    /// A group split a stage refers to; nil when it failed (reported) or is unknown (reported here).
    func lookup(_ name: String, from span: SourceSpan?, path: String, in session: CheckSession) -> (stage: String, dataset: String)? {
        if span != nil { session.referenced.insert("groups.\(name)") }
        if let g = groups[name] { return g }
        if failed.contains(name) { return nil }
        if let span, session.entry("groups", name) == nil {
            session.unknown("unknown-group", what: "group split", name: name, at: span, section: "groups", candidates: session.loaded.entries("groups").map(\.name), path: path)
        }
        return nil
    }
}
