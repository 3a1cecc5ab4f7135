import AssaySupport

/// Checks `segmentation:`: each target's segmentation data set, void class and class weights.
/// Returns the targets that checked, in the canonical form stages inline.
final class TargetChecker: SectionChecker {
    let session: CheckSession
    let datasets: CheckedDatasets
    private var targets: [String: SegmentationTarget] = [:]
    private var failed: Set<String> = []

    init(session: CheckSession, datasets: CheckedDatasets) {
        self.session = session
        self.datasets = datasets
    }

    func run() -> CheckedTargets {
        for entry in loaded.entries("segmentation") { _ = target(entry.name, from: nil, path: "segmentation.\(entry.name)") }
        return CheckedTargets(section: "segmentation", what: "segmentation target", unknownID: "unknown-target", found: targets, failed: failed)
    }

    func dataset(_ name: String, from span: SourceSpan?, path: String) -> DatasetInfo? { datasets.lookup(name, from: span, path: path, in: session) }

    func target(_ name: String, from span: SourceSpan?, path: String) -> SegmentationTarget? {
        if span != nil { session.referenced.insert("segmentation.\(name)") }
        if let t = targets[name] { return t }
        if failed.contains(name) { return nil }
        guard let entry = entry("segmentation", name) else {
            if let span {
                unknown("unknown-target", what: "segmentation target", name: name, at: span, section: "segmentation", candidates: loaded.entries("segmentation").map(\.name), path: path)
            }
            return nil
        }
        failed.insert(name)
        let p = "segmentation.\(name)"
        let v = resolve(entry.node, path: p)
        var ctx = StageBindings()
        let c = checkFields(v, registry.declarations["segmentation-target"]!, path: p, slot: "", context: &ctx)
        guard let dataName = c["data"]?.stringValue, let info = dataset(dataName, from: v["data"]?.span ?? v.span, path: "\(p).data") else { return nil }
        guard info.task == .segmentation else {
            error("wrong-data-kind", "segmentation target `\(name)` needs a segmentation data set, but `\(dataName)` is a \(info.task.rawValue) data set", v["data"]?.span ?? v.span,
                  help: ["compose scenes with `compose:` or load a `camvid:` folder"], path: "\(p).data")
            return nil
        }
        var voidIndex: CanonicalValue = .null
        if let void = c["void"]?.stringValue {
            guard let index = info.classes.firstIndex(of: void) else {
                var help = ["classes of `\(dataName)`: " + info.classes.joined(separator: ", ")]
                if let s = EditDistance.suggestion(for: void, among: info.classes) { help.insert("did you mean `\(s)`?", at: 0) }
                error("unknown-class", "`\(dataName)` has no class `\(void)`", v["void"]?.span ?? v.span, help: help, path: "\(p).void")
                return nil
            }
            voidIndex = .int(index)
        }
        if let explicit = c["weights"]?["explicit"]?.listValue, explicit.count != info.classes.count {
            error("class-count-mismatch", "`explicit:` gives \(explicit.count) class weights, but `\(dataName)` has \(info.classes.count) classes", v["weights"]?.span ?? v.span,
                  help: ["one weight per class: " + info.classes.joined(separator: ", ")], path: "\(p).weights")
            return nil
        }
        // `weights` that failed its own check was reported.
        guard let weights = c["weights"] else { return nil }
        let canonical = CanonicalValue.map([
            "classes": .list(info.classes.map { .string($0) }), "void": c["void"] ?? .null, "void-index": voidIndex, "weights": weights,
        ])
        failed.remove(name)
        targets[name] = (canonical, info.classes, info)
        return targets[name]
    }
}
