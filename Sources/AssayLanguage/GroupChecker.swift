import AssaySupport

/// Checks `groups:`: each group split's data set and the attributes it groups by. Returns the
/// group splits that checked and their implicit `group-split` stages.
final class GroupChecker: SectionChecker {
    let session: CheckSession
    let datasets: CheckedDatasets
    private var groups: [String: (stage: String, dataset: String)] = [:]
    private var failed: Set<String> = []
    private var instances: [StageInstance] = []

    init(session: CheckSession, datasets: CheckedDatasets) {
        self.session = session
        self.datasets = datasets
    }

    func run() -> CheckedGroups {
        for entry in loaded.entries("groups") { _ = group(entry.name, from: nil, path: "groups.\(entry.name)") }
        return CheckedGroups(section: "groups", what: "group split", unknownID: "unknown-group", found: groups, failed: failed, instances: instances)
    }

    func dataset(_ name: String, from span: SourceSpan?, path: String) -> DatasetInfo? { datasets.lookup(name, from: span, path: path, in: session) }

    func group(_ name: String, from span: SourceSpan?, path: String) -> (stage: String, dataset: String)? {
        if span != nil { session.referenced.insert("groups.\(name)") }
        if let g = groups[name] { return g }
        if failed.contains(name) { return nil }
        guard let entry = entry("groups", name) else {
            if let span { unknown("unknown-group", what: "group split", name: name, at: span, section: "groups", candidates: loaded.entries("groups").map(\.name), path: path) }
            return nil
        }
        failed.insert(name)
        let p = "groups.\(name)"
        let v = resolve(entry.node, path: p)
        var ctx = StageBindings()
        let schema = registry.declarations["groups"]!
        let c = checkFields(v, schema, path: p, slot: "", context: &ctx, retired: OperatorRegistry.retiredGroupsFields)
        guard let dataName = c["data"]?.stringValue, let info = dataset(dataName, from: v["data"]?.span ?? v.span, path: "\(p).data") else { return nil }
        var ok = true
        for (i, item) in (v["by"]?.items ?? []).enumerated() {
            let attribute = item.string ?? item.text
            if attribute != "label" && !info.attributes.contains(attribute) {
                var help = ["`\(dataName)` has: label" + info.attributes.map { ", \($0)" }.joined()]
                if let s = EditDistance.suggestion(for: attribute, among: ["label"] + info.attributes) { help.insert("did you mean `\(s)`?", at: 0) }
                else if info.attributes.isEmpty { help.append("inject one with `attribute:` in the data set, or list attribute columns of an image folder") }
                error("unknown-attribute", "data set `\(dataName)` has no attribute `\(attribute)`", item.span, label: "unknown attribute", help: help, path: "\(p).by[\(i)]")
                ok = false
            }
        }
        guard ok, case .map(var params) = c else { return nil }
        params.removeValue(forKey: "data")
        var inputs: [String: StageOutputRef] = [:]
        for s in info.splits { inputs["source.\(s)"] = StageOutputRef(stage: info.stage, output: s) }
        instances.append(session.implicitStage("groups.\(name)", "group-split", .map(params), inputs: inputs, outputs: ["groups": .groups], span: entry.keySpan))
        failed.remove(name)
        groups[name] = ("groups.\(name)", dataName)
        return groups[name]
    }
}
