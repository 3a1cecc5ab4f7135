import AssaySupport

/// A data set's source handed to its kind (``StageKind/describe``): the declaration, the source's
/// body as written and its checked parameters come in; the files it reads (``bindings``) may be
/// refined, and what the checker knows of its data is returned. Nothing else passes between the
/// checker and the kind.
struct SourceCheck {
    /// The data set's declaration and the source's data path (`datasets.NAME.camvid`).
    let entry: SectionEntry
    let path: String
    /// The source's body as written.
    let body: Value
    /// Checked parameters, every default filled (a field that failed its check is absent).
    let parameters: CanonicalValue
    var bindings: StageBindings

    /// What the checker knows of the data set, before any split or derivation.
    func info(splits: [String], sizes: [String: Int], shape: [Int], classes: [String], attributes: [String] = [], task: ModelTask) -> DatasetInfo {
        DatasetInfo(name: entry.name, stage: "", splits: splits, sizes: sizes, sampleShape: shape, classes: classes, attributes: attributes, task: task, declaration: entry)
    }

    /// `[H, W]` of the field `key`, positive; nil (reported) when it is not, or when the field failed its own check.
    func pair(_ key: String, _ checker: DatasetChecker) -> [Int]? {
        guard let l = parameters[key]?.intList else { return nil }
        if l.count != 2 || l.contains(where: { $0 < 1 }) {
            checker.error("wrong-type", "`\(key)` must be two positive integers [H, W], found \(parameters[key]!.canonicalString)", body[key]?.span ?? body.span, path: "\(path).\(key)")
            return nil
        }
        return l
    }

    /// `channels:` of an image source: 1 (grey) or 3 (RGB); nil (reported) otherwise, or when the field failed its own check.
    func channels(_ checker: DatasetChecker) -> Int? {
        guard let channels = parameters["channels"]?.intValue else { return nil }
        if channels == 2 {
            checker.error("out-of-range", "`channels` must be 1 (grey) or 3 (RGB), found 2", body["channels"]?.span ?? body.span, path: "\(path).channels")
            return nil
        }
        return channels
    }

    /// The splits a per-split count (`samples:`) gives, in train/val/test order, with their sizes.
    func perSplit(_ key: String) -> (splits: [String], sizes: [String: Int])? {
        guard let m = parameters[key]?.mapValue else { return nil }
        let splits = ["train", "val", "test"].filter { m[$0] != nil && m[$0] != .null }
        var sizes: [String: Int] = [:]
        for s in splits { sizes[s] = m[s]?.intValue }
        return (splits, sizes)
    }
}
