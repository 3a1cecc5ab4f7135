import AssaySupport
import AssaySyntax

/// The declared type of an experiment parameter.
public enum ParameterKind: String, Sendable, CaseIterable {
    case int, float, bool, string, list

    static func infer(_ v: CanonicalValue) -> ParameterKind {
        switch v {
        case .int: return .int
        case .double: return .float
        case .bool: return .bool
        case .list: return .list
        default: return .string
        }
    }
}

/// The `params:` section: typed parameters with defaults, sweeps and command-line overrides.
///
/// Forms: `epochs: 3` (type inferred), `seed: [0, 1, 2]` (a sweep),
/// `lr: { type: float, default: 1e-3, min: 0, doc: ... }` or `{ sweep: [...] }`.
/// `role: seed` marks a parameter (besides one named `seed`) whose values reports aggregate
/// over (mean ± sd) instead of plotting against.
/// A list-valued default needs the long form (`{ type: list, default: [...] }`).
/// Sweeps combine as a grid (every combination, the last parameter varying
/// fastest, parameters in name order) or, with `sweep: zip` at the top level, element by element.
struct ParameterDeclarations {
    struct Declaration {
        var name: String
        var keySpan: SourceSpan
        var kind: ParameterKind
        var value: CanonicalValue?
        var sweep: [CanonicalValue]?
        var minimum: Double?
        var maximum: Double?
        /// `seed` when declared `role: seed`.
        var role: ParameterRole?
    }

    /// What a parameter means to reports; only seeds are distinguished.
    enum ParameterRole: String, CaseIterable {
        case seed
    }

    /// Parameters whose values are repetitions, not settings: named `seed` or declared `role: seed`.
    var seedParameters: [String] {
        declarations.filter { $0.name == "seed" || $0.role == .seed }.map(\.name).sorted()
    }

    static let maxPoints = 10_000

    var declarations: [Declaration] = []
    var diagnostics: [Diagnostic] = []

    init(entries: [SectionEntry]) {
        for entry in entries { declare(entry) }
    }

    private mutating func error(_ id: MessageID, _ message: String, _ span: SourceSpan, label: String? = nil, help: [String] = [], path: String) {
        diagnostics.append(.error(id, message, at: span, label: label, help: help, path: path))
    }

    private mutating func declare(_ entry: SectionEntry) {
        let path = "params.\(entry.name)"
        var resolver = ValueResolver(parameters: [:])
        let node = entry.node
        var decl = Declaration(name: entry.name, keySpan: entry.keySpan, kind: .string, value: nil, sweep: nil)
        let longFormKeys: Set<String> = ["type", "default", "sweep", "min", "max", "doc", "role"]
        if let pairs = node.pairs, !pairs.isEmpty, pairs.allSatisfy({ longFormKeys.contains($0.key.scalar ?? "") }) {
            let v = resolver.resolve(node, path: path)
            var declaredKind: ParameterKind?
            if let t = v["type"] {
                if let name = t.string, let k = ParameterKind(rawValue: name) { declaredKind = k } else {
                    error("unknown-enum-value", "unknown parameter type `\(t.text)`", t.span, help: ["use one of " + ParameterKind.allCases.map(\.rawValue).joined(separator: ", ")], path: path + ".type")
                }
            }
            if let d = v["default"] { decl.value = d.canonical }
            if let r = v["role"] {
                if let name = r.string, let role = ParameterRole(rawValue: name) { decl.role = role } else {
                    error("unknown-enum-value", "unknown parameter role `\(r.text)`", r.span,
                          help: ["the only role is `seed`: reports aggregate over a seed's values (mean ± sd) instead of plotting against them"], path: path + ".role")
                }
            }
            if let s = v["sweep"] {
                if let items = s.items, !items.isEmpty { decl.sweep = items.map(\.canonical) } else if s.items != nil {
                    error("empty-sweep", "`sweep:` of parameter `\(entry.name)` has no values: the experiment would run nothing", s.span,
                          label: "empty sweep", help: ["list at least one value, e.g. `sweep: [0, 1, 2]`"], path: path + ".sweep")
                } else {
                    error("wrong-type", "`sweep:` must be a non-empty list of values", s.span, path: path + ".sweep")
                }
            }
            for bound in ["min", "max"] {
                if let b = v[bound] {
                    let number: Double? = { if case .int(let i) = b.kind { return Double(i) }; if case .double(let d) = b.kind { return d }; return nil }()
                    if number == nil { error("wrong-type", "`\(bound):` must be a number, not \(b.kindName)", b.span, path: path + "." + bound) }
                    if bound == "min" { decl.minimum = number } else { decl.maximum = number }
                }
            }
            if decl.value == nil && decl.sweep == nil {
                error("missing-field", "parameter `\(entry.name)` has neither `default:` nor `sweep:`", node.span, help: ["add `default: ...`"], path: path)
                return
            }
            decl.kind = declaredKind ?? ParameterKind.infer(decl.value ?? decl.sweep![0])
            if declaredKind == nil, decl.kind == .int, let all = decl.sweep, all.contains(where: { if case .double = $0 { return true }; return false }) {
                decl.kind = .float
            }
        } else if let items = node.items {
            let v = resolver.resolve(node, path: path)
            guard let values = v.items, !values.isEmpty else {
                error("empty-sweep", "parameter `\(entry.name)` sweeps over no values: the experiment would run nothing", node.span,
                      label: "empty sweep", help: ["list at least one value, e.g. `\(entry.name): [0, 1, 2]`, or give a single value"], path: path)
                return
            }
            decl.sweep = values.map(\.canonical)
            decl.kind = values.contains { if case .double = $0.kind { return true }; return false } ? .float : ParameterKind.infer(decl.sweep![0])
            _ = items
        } else if node.pairs != nil {
            error("wrong-type", "parameter `\(entry.name)` is a mapping; write a value, a list of values (a sweep), or `{ type:, default:, sweep: }`",
                  node.span, help: ["for a mapping-valued setting, use separate parameters"], path: path)
            return
        } else {
            decl.value = resolver.resolve(node, path: path).canonical
            decl.kind = ParameterKind.infer(decl.value!)
        }
        diagnostics += resolver.diagnostics
        if let v = decl.value, let c = coerce(v, to: decl, span: node.span, path: path) { decl.value = c } else if decl.value != nil { return }
        if let sweep = decl.sweep {
            var coerced: [CanonicalValue] = []
            for v in sweep {
                guard let c = coerce(v, to: decl, span: node.span, path: path) else { return }
                coerced.append(c)
            }
            decl.sweep = coerced
        }
        declarations.append(decl)
    }

    /// Converts a value to the parameter's type; nil (with a diagnostic) when it does not fit.
    mutating func coerce(_ v: CanonicalValue, to decl: Declaration, span: SourceSpan?, path: String) -> CanonicalValue? {
        var result: CanonicalValue?
        switch (decl.kind, v) {
        case (.int, .int), (.bool, .bool), (.list, .list), (.float, .double): result = v
        case (.float, .int(let i)): result = .double(Double(i))
        case (.string, .string): result = v
        case (.string, .int), (.string, .double), (.string, .bool): result = .string(Value.text(of: v))
        default: result = nil
        }
        guard let ok = result else {
            diagnostics.append(.error("wrong-type", "parameter `\(decl.name)` is \(decl.kind.rawValue)-typed, but `\(Value.text(of: v))` is not", at: span ?? decl.keySpan,
                                      help: ["give a value of type \(decl.kind.rawValue), or declare `type:` explicitly"], path: path))
            return nil
        }
        if let d = ok.doubleValue, decl.kind == .int || decl.kind == .float {
            if !d.isFinite {
                diagnostics.append(.error("out-of-range", "parameter `\(decl.name)` must be a finite number", at: span ?? decl.keySpan, path: path))
                return nil
            }
            if let lo = decl.minimum, d < lo {
                diagnostics.append(.error("out-of-range", "parameter `\(decl.name)` = \(Value.text(of: ok)) is below its minimum \(ParameterSchema.format(lo))", at: span ?? decl.keySpan, path: path))
                return nil
            }
            if let hi = decl.maximum, d > hi {
                diagnostics.append(.error("out-of-range", "parameter `\(decl.name)` = \(Value.text(of: ok)) is above its maximum \(ParameterSchema.format(hi))", at: span ?? decl.keySpan, path: path))
                return nil
            }
        }
        return ok
    }

    /// Applies `-p name=value` overrides; a list value becomes a sweep.
    /// Every bad override is reported, not only the first.
    mutating func applyOverrides(_ overrides: [(String, String)]) {
        nextOverride: for (name, text) in overrides {
            guard let index = declarations.firstIndex(where: { $0.name == name }) else {
                var help = ["declared parameters: " + (declarations.isEmpty ? "none" : declarations.map(\.name).joined(separator: ", "))]
                if let s = EditDistance.suggestion(for: name, among: declarations.map(\.name)) { help.insert("did you mean `\(s)`?", at: 0) }
                diagnostics.append(.error("unknown-parameter", "`-p \(name)=\(text)`: the experiment has no parameter `\(name)`", at: nil, help: help, path: "params.\(name)"))
                continue
            }
            let parsed = YAMLParser.parseValue(text, origin: "-p \(name)")
            guard let node = parsed.root, !parsed.diagnostics.hasErrors else {
                diagnostics.append(.error("bad-override", "`-p \(name)=\(text)`: the value is not valid YAML", at: nil,
                                          help: ["quote the value for the shell, e.g. -p '\(name)=[1, 2]'"], path: "params.\(name)"))
                continue
            }
            var resolver = ValueResolver(parameters: [:])
            let v = resolver.resolve(node, path: "params.\(name)")
            let decl = declarations[index]
            if let items = v.items, decl.kind != .list {
                guard !items.isEmpty else {
                    diagnostics.append(.error("empty-sweep", "`-p \(name)=\(text)` sweeps `\(name)` over no values: the experiment would run nothing",
                                              at: declarations[index].keySpan, label: "declared here",
                                              help: ["give at least one value, e.g. -p '\(name)=[1, 2]', or a single value -p \(name)=1"], path: "params.\(name)"))
                    continue
                }
                var sweep: [CanonicalValue] = []
                for item in items {
                    guard let c = coerce(item.canonical, to: decl, span: nil, path: "params.\(name)") else { continue nextOverride }
                    sweep.append(c)
                }
                declarations[index].sweep = sweep
                declarations[index].value = nil
            } else if let c = coerce(v.canonical, to: decl, span: nil, path: "params.\(name)") {
                declarations[index].value = c
                declarations[index].sweep = nil
            }
        }
    }

    /// Every sweep point: full parameter values and the swept values alone.
    mutating func points(zip: Bool, span: SourceSpan?) -> [(values: [String: CanonicalValue], swept: [String: CanonicalValue])] {
        var base: [String: CanonicalValue] = [:]
        var sweeps: [(String, [CanonicalValue])] = []
        for d in declarations {
            if let s = d.sweep { sweeps.append((d.name, s)) } else if let v = d.value { base[d.name] = v }
        }
        if sweeps.isEmpty { return [(base, [:])] }
        // By name, so that reordering `params:` does not reorder the points.
        sweeps.sort { $0.0 < $1.0 }
        if zip {
            let n = sweeps[0].1.count
            if let bad = sweeps.first(where: { $0.1.count != n }) {
                diagnostics.append(.error("sweep-length-mismatch", "`sweep: zip` needs sweeps of equal length, but `\(sweeps[0].0)` has \(n) values and `\(bad.0)` has \(bad.1.count)",
                                          at: span, help: ["give every swept parameter the same number of values, or use `sweep: grid`"], path: "sweep"))
                return []
            }
            return (0..<n).map { i in
                var values = base, swept: [String: CanonicalValue] = [:]
                for (name, list) in sweeps { values[name] = list[i]; swept[name] = list[i] }
                return (values, swept)
            }
        }
        let total = sweeps.reduce(1) { $0 * $1.1.count }
        if total > Self.maxPoints {
            diagnostics.append(.error("sweep-too-large", "the sweep has \(total) points, more than the limit of \(Self.maxPoints)", at: span,
                                      help: ["sweep fewer values, or use `sweep: zip`"], path: "params"))
            return []
        }
        var result: [(values: [String: CanonicalValue], swept: [String: CanonicalValue])] = [(base, [:])]
        for (name, list) in sweeps {
            result = result.flatMap { point in list.map { v in
                var p = point
                p.values[name] = v
                p.swept[name] = v
                return p
            } }
        }
        return result
    }
}
