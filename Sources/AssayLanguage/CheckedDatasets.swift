import AssaySupport

/// What ``DatasetChecker`` returns: every data set that checked, by name, those that did not (their
/// problems are reported), and the implicit stages that load, split and derive them.
struct CheckedDatasets {
    var infos: [String: DatasetInfo]
    var failed: Set<String>
    var instances: [StageInstance]

    /// A data set a later section refers to; nil when it failed (reported) or is unknown (reported here).
    func lookup(_ name: String, from span: SourceSpan?, path: String, in session: CheckSession) -> DatasetInfo? {
        if span != nil { session.referenced.insert("datasets.\(name)") }
        if let info = infos[name] { return info }
        if failed.contains(name) { return nil }
        if let span, session.entry("datasets", name) == nil {
            session.unknown("unknown-dataset", what: "dataset", name: name, at: span, section: "datasets", candidates: session.loaded.entries("datasets").map(\.name), path: path)
        }
        return nil
    }
}
