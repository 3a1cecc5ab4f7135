import AssaySupport

/// What the checker of a declaration section returns to the sections after it: the declarations
/// that checked, by name, those that did not (their problems are reported), and the implicit
/// stages that compute them (data loads, splits, derivations, group splits).
struct CheckedDeclarations<Info> {
    /// The section (`datasets`), what one entry is called in messages (`dataset`) and the ID of an unknown name.
    let section: String
    let what: String
    let unknownID: MessageID
    var found: [String: Info] = [:]
    var failed: Set<String> = []
    var instances: [StageInstance] = []

    /// A declaration a later section refers to; nil when it failed (reported) or is unknown (reported here).
    func lookup(_ name: String, from span: SourceSpan?, path: String, in session: CheckSession) -> Info? {
        if span != nil { session.referenced.insert("\(section).\(name)") }
        if let info = found[name] { return info }
        if failed.contains(name) { return nil }
        if let span, session.entry(section, name) == nil {
            session.unknown(unknownID, what: what, name: name, at: span, section: section, candidates: session.loaded.entries(section).map(\.name), path: path)
        }
        return nil
    }
}

/// What ``DatasetChecker`` returns.
typealias CheckedDatasets = CheckedDeclarations<DatasetInfo>
/// What ``GroupChecker`` returns: per group split, the stage computing it and the data set it groups.
typealias CheckedGroups = CheckedDeclarations<(stage: String, dataset: String)>
/// A checked segmentation target: its canonical form (what stages inline), its classes and its data set.
typealias SegmentationTarget = (canonical: CanonicalValue, classes: [String], dataset: DatasetInfo)
/// What ``TargetChecker`` returns.
typealias CheckedTargets = CheckedDeclarations<SegmentationTarget>
