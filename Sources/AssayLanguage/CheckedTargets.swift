import AssaySupport

/// What ``TargetChecker`` returns: the segmentation targets that checked and those that did not.
struct CheckedTargets {
    /// A target's canonical form (what stages inline), its classes and its data set.
    typealias Target = (canonical: CanonicalValue, classes: [String], dataset: DatasetInfo)
    var targets: [String: Target]
    var failed: Set<String>

    /// A target a model or stage refers to; nil when it failed (reported) or is unknown (reported here).
    func lookup(_ name: String, from span: SourceSpan?, path: String, in session: CheckSession) -> Target? {
        if span != nil { session.referenced.insert("segmentation.\(name)") }
        if let t = targets[name] { return t }
        if failed.contains(name) { return nil }
        if let span, session.entry("segmentation", name) == nil {
            session.unknown("unknown-target", what: "segmentation target", name: name, at: span, section: "segmentation",
                            candidates: session.loaded.entries("segmentation").map(\.name), path: path)
        }
        return nil
    }
}
