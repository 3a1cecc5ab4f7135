import AssaySupport

/// Checks the top-level settings that are schemas of their own: `resources:` (which every stage
/// starts from) and `executor:`.
final class SettingsChecker: SectionChecker {
    let session: CheckSession

    init(session: CheckSession) { self.session = session }

    /// Settings take no data set references.
    func dataset(_ name: String, from span: SourceSpan?, path: String) -> DatasetInfo? { nil }

    /// The top-level `resources:`; the registry's defaults where it is absent.
    func resources() -> ResourceSpec {
        let defaults = Dictionary(uniqueKeysWithValues: registry.resources.compactMap { p in p.defaultValue.map { (p.name, $0) } })
        let standard = ResourceSpec().overridden(by: .map(defaults), fields: Set(defaults.keys))
        guard let pair = loaded.settings["resources"] else { return standard }
        var context = StageBindings()
        let v = resolve(pair.value, path: "resources")
        let c = checkFields(v, registry.resources, path: "resources", slot: "", context: &context)
        return standard.overridden(by: c, given: v)
    }

    /// The checked `executor:` block, every default filled.
    func executor() -> CanonicalValue {
        var context = StageBindings()
        return loaded.settings["executor"].map { checkFields(resolve($0.value, path: "executor"), registry.executor, path: "executor", slot: "", context: &context) }
            ?? .map(Dictionary(uniqueKeysWithValues: registry.executor.map { ($0.name, $0.defaultValue ?? .null) }))
    }
}
