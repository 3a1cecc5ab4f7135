import AssaySupport
import Foundation

extension SectionChecker {
    /// Checks a mapping against a schema: unknown keys, missing required fields, each value's type and range.
    /// Returns the canonical map with every default filled (absent optional fields are `null`).
    /// `retired` names fields the schema no longer has, with the reason given when one is written.
    func checkFields(_ value: Value, _ schema: [ParameterSchema], path: String, slot: String, context: inout StageBindings,
                     retired: [String: String] = [:]) -> CanonicalValue {
        guard let entries = value.entries else {
            if value.isUnresolved { return .null }
            if value.isNull && !schema.contains(where: \.required) {
                return .map(Dictionary(uniqueKeysWithValues: schema.map { ($0.name, $0.defaultValue ?? .null) }).filter { !isReference($0.key, schema) })
            }
            error("wrong-type", "expected a mapping with fields " + schema.map { "`\($0.name)`" }.joined(separator: ", ") + ", found \(value.kindName)",
                  value.span, path: path)
            return .null
        }
        var result: [String: CanonicalValue] = [:]
        for entry in entries where !schema.contains(where: { $0.name == entry.key }) {
            if let reason = retired[entry.key] {
                error("retired-field", "`\(entry.key)` is no longer a field here: \(reason)", entry.keySpan, label: "no longer taken",
                      help: ["remove `\(entry.key): ...`"], path: join(path, entry.key))
                continue
            }
            var help = ["allowed here: " + schema.map(\.name).joined(separator: ", ")]
            if let s = EditDistance.suggestion(for: entry.key, among: schema.map(\.name)) { help.insert("did you mean `\(s)`?", at: 0) }
            error("unknown-field", "unknown field `\(entry.key)`", entry.keySpan, label: "not a field here", help: help, path: join(path, entry.key))
        }
        for field in schema {
            let fieldPath = join(path, field.name)
            let fieldSlot = join(slot, field.name)
            if let entry = value.entry(field.name), entry.value.isUnresolved {
                if case .reference = field.type { continue }
                result[field.name] = field.defaultValue ?? .null
            } else if let entry = value.entry(field.name), !entry.value.isNull {
                if let v = checkValue(entry.value, field, path: fieldPath, slot: fieldSlot, context: &context) {
                    if case .reference = field.type { continue }
                    result[field.name] = v
                }
            } else if field.required {
                error("missing-field", "missing required field `\(field.name)` (\(field.type.description))", value.span, label: "needs `\(field.name)`",
                      help: ["add `\(field.name): ...` — \(field.doc)"], path: fieldPath)
            } else if case .reference = field.type {
                continue
            } else if case .path(true) = field.type, let d = field.defaultValue?.stringValue {
                // Default paths must exist too (e.g. the Fashion-MNIST folder).
                let implicit = Value(kind: .string(d), span: value.span, text: d)
                result[field.name] = checkValue(implicit, field, path: fieldPath, slot: fieldSlot, context: &context) ?? .string(d)
            } else {
                result[field.name] = field.defaultValue ?? .null
            }
            if field.keyOmitsDefault, result[field.name] == field.defaultValue { result[field.name] = nil }
        }
        return .map(result)
    }

    private func isReference(_ name: String, _ schema: [ParameterSchema]) -> Bool {
        if case .reference = schema.first(where: { $0.name == name })?.type { return true }
        return false
    }

    func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : "\(a).\(b)" }

    /// Checks one value against its schema; nil when it is wrong (a diagnostic was recorded).
    func checkValue(_ v: Value, _ field: ParameterSchema, path: String, slot: String, context: inout StageBindings) -> CanonicalValue? {
        checkValue(v, type: field.type, field: field, path: path, slot: slot, context: &context)
    }

    func checkValue(_ v: Value, type: ParameterType, field: ParameterSchema, path: String, slot: String, context: inout StageBindings) -> CanonicalValue? {
        if v.isUnresolved { return nil }
        func wrong(_ expected: String) -> CanonicalValue? {
            error("wrong-type", "`\(field.name)` must be \(expected), found \(v.kindName)" + (v.text.isEmpty ? "" : " `\(v.text)`"), v.span,
                  label: "expected \(expected)", help: field.doc.isEmpty ? [] : ["`\(field.name)`: \(field.doc)"], path: path)
            return nil
        }
        switch type {
        case .int:
            guard case .int(let i) = v.kind else { return wrong("an integer") }
            return inRange(Double(i), field, v, path) ? .int(i) : nil
        case .double:
            let d: Double
            switch v.kind {
            case .int(let i): d = Double(i)
            case .double(let x): d = x
            default: return wrong("a number")
            }
            guard d.isFinite else {
                error("out-of-range", "`\(field.name)` must be a finite number", v.span, path: path)
                return nil
            }
            return inRange(d, field, v, path) ? .double(d == 0 ? 0 : d) : nil
        case .bool:
            guard case .bool(let b) = v.kind else { return wrong("true or false") }
            return .bool(b)
        case .string:
            switch v.kind {
            case .string(let s): return .string(s)
            case .int, .double, .bool: return .string(v.text)
            default: return wrong("a string")
            }
        case .path(let mustExist):
            guard let s = v.string else { return wrong("a path") }
            if mustExist {
                let full = absolutePath(s)
                if !probe(full).exists {
                    error("path-not-found", "`\(s)` does not exist", v.span, label: "no such file or folder",
                          help: ["relative paths are resolved from the folder of the experiment file",
                                 v.parameter.map { "this value comes from parameter `\($0)`; override it with `-p \($0)=PATH`" } ?? "check the spelling"]
                              .filter { !$0.isEmpty }, path: path)
                    return nil
                }
                context.files[slot] = full
            }
            return .string(s)
        case .enumeration(let values):
            let s: String
            switch v.kind {
            case .string(let x): s = x
            case .int, .double, .bool: s = v.text
            default: return wrong("one of " + values.joined(separator: ", "))
            }
            guard values.contains(s) else {
                var help = ["expected one of: " + values.joined(separator: ", ")]
                if let guess = EditDistance.suggestion(for: s, among: values) { help.insert("did you mean `\(guess)`?", at: 0) }
                error("unknown-enum-value", "`\(s)` is not a valid `\(field.name)`", v.span, label: "unknown value", help: help, path: path)
                return nil
            }
            return .string(s)
        case .list(let element):
            let items = v.items ?? [v]
            if type == field.type, items.count < field.minCount || items.count > (field.maxCount ?? .max) {
                let wanted = field.countDescription ?? ""
                error(items.isEmpty ? "empty-list" : "wrong-count", "`\(field.name)` needs \(wanted), found \(items.count)", v.span,
                      label: "\(items.count) item\(items.count == 1 ? "" : "s")", help: field.doc.isEmpty ? [] : ["`\(field.name)`: \(field.doc)"], path: path)
                return nil
            }
            var out: [CanonicalValue] = []
            var ok = true
            for (i, item) in items.enumerated() {
                if let c = checkValue(item, type: element, field: field, path: "\(path)[\(i)]", slot: "\(slot).\(i)", context: &context) { out.append(c) } else { ok = false }
            }
            return ok ? .list(out) : nil
        case .record(let fields):
            if fields.isEmpty { return v.canonical }
            return checkFields(v, fields, path: path, slot: slot, context: &context)
        case .variant(let alternatives):
            var name: String
            var body: Value
            if let s = v.string {
                name = s
                body = Value(kind: .null, span: v.span, text: "")
            } else if let entries = v.entries, entries.count == 1 {
                name = entries[0].key
                body = entries[0].value
            } else {
                return wrong("a one-key mapping naming one of " + alternatives.keys.sorted().joined(separator: ", "))
            }
            guard let alternative = alternatives[name] else {
                var help = ["expected one of: " + alternatives.keys.sorted().joined(separator: ", ")]
                if let guess = EditDistance.suggestion(for: name, among: alternatives.keys) { help.insert("did you mean `\(guess)`?", at: 0) }
                error("unknown-enum-value", "`\(name)` is not a kind of `\(field.name)`", v.entries?.first?.keySpan ?? v.span, label: "unknown kind", help: help, path: path)
                return nil
            }
            let sub = ParameterSchema(name, alternative, doc: field.doc)
            if body.isNull, case .record(let fields) = alternative {
                if fields.contains(where: \.required) {
                    return checkFields(Value(kind: .map([]), span: v.span, text: ""), fields, path: join(path, name), slot: join(slot, name), context: &context)
                        .map { .map([name: $0]) }
                }
                return .map([name: checkFields(body, fields, path: join(path, name), slot: join(slot, name), context: &context)])
            }
            guard let inner = checkValue(body, type: alternative, field: sub, path: join(path, name), slot: join(slot, name), context: &context) else { return nil }
            return .map([name: inner])
        case .reference(let artifact, let many):
            if many {
                let items = v.items ?? [v]
                if items.isEmpty {
                    error("wrong-type", "`\(field.name)` needs at least one reference", v.span, path: path)
                    return nil
                }
                for (i, item) in items.enumerated() {
                    resolveReference(item, artifact, slot: "\(slot).\(i)", path: "\(path)[\(i)]", context: &context)
                }
            } else {
                resolveReference(v, artifact, slot: slot, path: path, context: &context)
            }
            return .null
        case .declaration(let kind):
            return inlineDeclaration(v, kind, slot: slot, path: path, context: &context)
        case .unit:
            return checkUnit(v, path: path, context: context)
        case .memory:
            if case .int(let bytes) = v.kind, bytes > 0 { return .int(bytes) }
            guard let bytes = Self.parseMemory(v.text) else {
                error("wrong-type", "`\(v.text)` is not a memory size", v.span, label: "expected e.g. 8GiB", help: ["write a number with a unit: 512M, 8G, 16GiB"], path: path)
                return nil
            }
            return .int(bytes)
        case .duration:
            if case .int(let s) = v.kind, s > 0 { return .int(s) }
            guard let seconds = Self.parseDuration(v.text) else {
                error("wrong-type", "`\(v.text)` is not a duration", v.span, label: "expected e.g. 2h30m", help: ["write 90m, 2h, 1h30m, 1d or 01:30:00"], path: path)
                return nil
            }
            return .int(seconds)
        }
    }

    private func inRange(_ d: Double, _ field: ParameterSchema, _ v: Value, _ path: String) -> Bool {
        let below = field.minimum.map { field.exclusiveMinimum ? d <= $0 : d < $0 } ?? false
        let above = field.maximum.map { field.exclusiveMaximum ? d >= $0 : d > $0 } ?? false
        if below || above {
            let range = field.rangeDescription ?? ""
            error("out-of-range", "`\(field.name)` = \(v.text) is out of range: it must be \(range.hasPrefix("[") || range.hasPrefix("(") ? "in " : "")\(range)", v.span,
                  label: "out of range", help: v.parameter.map { ["this value comes from parameter `$\($0)`"] } ?? [], path: path)
            return false
        }
        return true
    }

    /// `512M`, `8G`, `8GiB`, `1.5GB`, `1024` (bytes). Decimal and binary suffixes both mean powers of 1024, as Slurm does.
    static func parseMemory(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let k = 1024.0
        let units: [(String, Double)] = [("KiB", k), ("MiB", k * k), ("GiB", k * k * k), ("TiB", k * k * k * k), ("KB", k), ("MB", k * k), ("GB", k * k * k),
                                         ("TB", k * k * k * k), ("K", k), ("M", k * k), ("G", k * k * k), ("T", k * k * k * k), ("B", 1)]
        for (suffix, factor) in units where s.hasSuffix(suffix) {
            guard let n = Double(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n > 0, n.isFinite, n * factor < 1e18 else { return nil }
            return Int((n * factor).rounded())
        }
        return nil
    }

    /// `90s`, `90m`, `2h`, `1h30m`, `1d`, `01:30:00`, `30:00`.
    static func parseDuration(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.contains(":") {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count >= 2, parts.count <= 3, parts.allSatisfy({ $0 != nil && $0! >= 0 && $0! < 1 << 32 }) else { return nil }
            let total = parts.reduce(0) { $0 * 60 + $1! }
            return total > 0 ? total : nil
        }
        var total = 0, number = "", sawUnit = false
        for ch in s {
            if ch.isNumber { number.append(ch); continue }
            guard let n = Int(number), n < 1 << 32 else { return nil }
            switch ch {
            case "d": total += n * 86400
            case "h": total += n * 3600
            case "m": total += n * 60
            case "s": total += n
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total > 0 else { return nil }
        return total
    }
}

extension CanonicalValue {
    func map(_ f: (CanonicalValue) -> CanonicalValue) -> CanonicalValue? { f(self) }
}
