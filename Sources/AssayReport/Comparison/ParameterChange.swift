import AssaySupport

/// One parameter difference between two runs in the experiment's own words: `params.seed`,
/// `stages.erm.lr`, with the stage settings it caused folded in (`-p seed=2` changes the
/// seed of six stages: one line, not seven).
public struct ParameterChange: Sendable, Equatable, CustomStringConvertible {
    /// `params.seed`, `stages.erm.epochs`, or `points` for the sweep itself.
    public var path: String
    /// Canonical JSON text; nil when absent on that side.
    public var before: String?
    public var after: String?
    /// Stage settings that changed the same way, as `stage.field` paths (`erm.seed`).
    public var alsoChanged: [String]

    public init(path: String, before: String?, after: String?, alsoChanged: [String] = []) {
        self.path = path
        self.before = before
        self.after = after
        self.alsoChanged = alsoChanged
    }

    public var description: String {
        let change: String
        switch (before, after) {
        case (nil, let b?): change = "\(path): added \(b)"
        case (let a?, nil): change = "\(path): removed (was \(a))"
        default: change = "\(path): \(before ?? "") → \(after ?? "")"
        }
        guard !alsoChanged.isEmpty else { return change }
        let shown = alsoChanged.prefix(4).joined(separator: ", ") + (alsoChanged.count > 4 ? ", …" : "")
        return "\(change)  (sets \(alsoChanged.count == 1 ? "" : "\(alsoChanged.count) stage settings: ")\(shown))"
    }

    /// The changes between two runs' resolved experiments (`RunDescription.parametersJSON`: point
    /// label → `{name, parameters, stages: [{id, parameters, …}]}`), by `params.NAME` and
    /// `stages.ID.FIELD`. A stage setting that changed from and to the same values as a
    /// parameter is attributed to it (preferring a parameter of the same name). Sweeps are
    /// compared point by point when they have the same points, else by their first point,
    /// after a `points` line naming the two sweeps.
    public static func between(_ a: CanonicalValue, _ b: CanonicalValue) -> [ParameterChange] {
        let pointsA = CanonicalValue.sortedKeys(a.mapValue ?? [:]), pointsB = CanonicalValue.sortedKeys(b.mapValue ?? [:])
        var out: [ParameterChange] = []
        var pairs: [(String, CanonicalValue, CanonicalValue)] = []
        if pointsA == pointsB {
            pairs = pointsA.map { ($0, a[$0]!, b[$0]!) }
        } else {
            func sweep(_ labels: [String]) -> String { labels == [""] ? "(no sweep)" : labels.joined(separator: " | ") }
            out.append(ParameterChange(path: "points", before: sweep(pointsA), after: sweep(pointsB)))
            if let first = pointsA.first, let other = pointsB.first { pairs = [("", a[first]!, b[other]!)] }
        }
        // Identical differences at every point print once; otherwise each point's are labelled.
        let perPoint = pairs.map { label, x, y in (label, collapse(flatten(x), flatten(y))) }
        if let first = perPoint.first, perPoint.allSatisfy({ $0.1 == first.1 }) {
            // With different sweeps, a swept parameter's first values say nothing: the `points` line has them.
            let swept = pointsA == pointsB ? [] : Set((pointsA + pointsB).flatMap { $0.split(separator: ",").map { "params." + $0.prefix { $0 != "=" } } })
            return out + first.1.filter { !swept.contains($0.path) }
        }
        for (label, changes) in perPoint {
            out += changes.map { var c = $0; c.path = "[\(label)] \(c.path)"; return c }
        }
        return out
    }

    /// `params.NAME` and `stages.ID.FIELD…` leaves of one resolved experiment.
    static func flatten(_ experiment: CanonicalValue) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in experiment["parameters"]?.mapValue ?? [:] { leaves(value, path: "params.\(name)", into: &out) }
        for stage in experiment["stages"]?.listValue ?? [] {
            guard let id = stage["id"]?.stringValue else { continue }
            for (name, value) in stage["parameters"]?.mapValue ?? [:] { leaves(value, path: "stages.\(id).\(name)", into: &out) }
            if let op = stage["operator"] { out["stages.\(id).operator"] = op.canonicalString }
            for (slot, input) in stage["inputs"]?.mapValue ?? [:] { out["stages.\(id).inputs.\(slot)"] = input.canonicalString }
        }
        return out
    }

    static func leaves(_ value: CanonicalValue, path: String, into out: inout [String: String]) {
        if let map = value.mapValue, !map.isEmpty {
            for (k, v) in map { leaves(v, path: "\(path).\(k)", into: &out) }
        } else {
            out[path] = value.canonicalString
        }
    }

    /// Every differing leaf; stage leaves that mirror a parameter's change fold into it.
    static func collapse(_ a: [String: String], _ b: [String: String]) -> [ParameterChange] {
        let paths = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
        var parameters = paths.filter { $0.hasPrefix("params.") }.map { ParameterChange(path: $0, before: a[$0], after: b[$0]) }
        var stages: [ParameterChange] = []
        for path in paths where path.hasPrefix("stages.") {
            let leaf = String(path.split(separator: ".").last ?? "")
            let candidates = parameters.indices.filter { parameters[$0].before == a[path] && parameters[$0].after == b[path] }
            let sameName = candidates.first { parameters[$0].path == "params.\(leaf)" }
            if let index = sameName ?? candidates.first {
                parameters[index].alsoChanged.append(String(path.dropFirst("stages.".count)))
            } else {
                stages.append(ParameterChange(path: path, before: a[path], after: b[path]))
            }
        }
        return parameters + stages
    }
}
